package dev.shoal.embedding.search;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each bad search input, as both APIs see it through {@link SearchRequestValidator}: the reason (HTTP status / gRPC
 * code) and the field the error names. SearchResourceTest and SearchGrpcServiceTest show the same through the wire.
 */
class SearchRequestValidatorTest {

    private final SearchRequestValidator check = new SearchRequestValidator(1000, 3);

    private static SearchRequest.Filter modelVersion(String mv) {
        return new SearchRequest.Filter("ds", mv, null, null, null, null);
    }

    /** Runs {@code call}, expects a SearchException of {@code reason} naming {@code field} first, and returns it. */
    private static SearchException refused(SearchException.Reason reason, String field, Executable call) {
        SearchException e = assertThrows(SearchException.class, call);
        assertEquals(reason, e.reason(), e.getMessage());
        assertEquals(field, e.field(), e.getMessage());
        assertTrue(e.getMessage().startsWith(field), e.getMessage()); // "k: must be ...", "vector is empty"
        return e;
    }

    @Test
    void kOutsideOneToMaxKIsRefusedNamingK() {
        for (int k : new int[]{0, -1, 1001}) {
            SearchException e = refused(SearchException.Reason.INVALID, "k", () -> check.k(k));
            assertTrue(e.getMessage().contains("between 1 and 1000, was " + k), e.getMessage());
        }
        assertDoesNotThrow(() -> check.k(1));
        assertDoesNotThrow(() -> check.k(1000));
    }

    @Test
    void anEmptyOrMissingVectorIsRefusedNamingVector() {
        refused(SearchException.Reason.INVALID, "vector", () -> check.vector(new float[0]));
        refused(SearchException.Reason.INVALID, "vector", () -> check.vector(null));
    }

    @Test
    void aVectorOfZerosOrNonFiniteNumbersIsRefusedNamingVector() {
        assertTrue(refused(SearchException.Reason.INVALID, "vector", () -> check.vector(new float[]{0, 0}))
                .getMessage().contains("zeros"));
        assertTrue(refused(SearchException.Reason.INVALID, "vector", () -> check.vector(new float[]{1, Float.NaN}))
                .getMessage().contains("vector[1]"));
    }

    @Test
    void aVectorOfAnotherDimensionThanTheModelVersionsIsRefusedSayingBoth() {
        SearchException e = refused(SearchException.Reason.INVALID, "vector",
                () -> check.sameDimension(new float[]{1, 0, 0}, "m@1", 4));
        assertTrue(e.getMessage().contains("has 3 dimensions, model version m@1 has 4"), e.getMessage());
        assertDoesNotThrow(() -> check.sameDimension(new float[]{1, 0, 0, 0}, "m@1", 4));
    }

    @Test
    void aMissingModelVersionIsRefusedAndAnUnknownOneIsNotFound() {
        refused(SearchException.Reason.INVALID, "filter.model_version", () -> check.requiredModelVersion(modelVersion(null)));
        refused(SearchException.Reason.INVALID, "filter.model_version", () -> check.requiredModelVersion(modelVersion(" ")));
        refused(SearchException.Reason.INVALID, "filter.model_version",
                () -> check.requiredModelVersion(SearchRequest.Filter.NONE));
        assertEquals("m@1", check.requiredModelVersion(modelVersion("m@1")));

        SearchException unknown = refused(SearchException.Reason.NOT_FOUND, "filter.model_version",
                () -> check.storedDimension("nobody@0", OptionalInt.empty()));
        assertTrue(unknown.getMessage().contains("nobody@0"), unknown.getMessage());
        assertEquals(384, check.storedDimension("m@1", OptionalInt.of(384)));
    }

    @Test
    void aFrameQueryNeedsAFrameId() {
        refused(SearchException.Reason.INVALID, "frame_id", () -> check.frameId(null));
        refused(SearchException.Reason.INVALID, "frame_id", () -> check.frameId(""));
        assertDoesNotThrow(() -> check.frameId("f1"));
    }

    @Test
    void aCentroidQueryNeedsOneToMaxFramesNoneBlankAndKeepsTheFirstOfRepeats() {
        refused(SearchException.Reason.INVALID, "frame_ids", () -> check.frameIds(null));
        refused(SearchException.Reason.INVALID, "frame_ids", () -> check.frameIds(List.of()));
        assertTrue(refused(SearchException.Reason.INVALID, "frame_ids", () -> check.frameIds(List.of("a", "b", "c", "d")))
                .getMessage().contains("at most 3"));
        refused(SearchException.Reason.INVALID, "frame_ids[1]", () -> check.frameIds(Arrays.asList("a", null)));
        refused(SearchException.Reason.INVALID, "frame_ids[2]", () -> check.frameIds(List.of("a", "b", " ")));
        assertEquals(List.of("b", "a"), List.copyOf(check.frameIds(List.of("b", "a", "b"))));
    }

    @Test
    void aTextQueryNeedsTextOfAtMostTheLimit() {
        refused(SearchException.Reason.INVALID, "text", () -> check.text(null));
        refused(SearchException.Reason.INVALID, "text", () -> check.text("  "));
        String tooLong = "a".repeat(SearchRequestValidator.MAX_TEXT_LENGTH + 1);
        refused(SearchException.Reason.INVALID, "text", () -> check.text(tooLong));
        assertDoesNotThrow(() -> check.text("a".repeat(SearchRequestValidator.MAX_TEXT_LENGTH)));
    }

    @Test
    void aTextQuerySearchesTheTextModelsVersionAndNoOther() {
        assertEquals("text@1", check.textModelVersion(modelVersion(null), "text@1"));
        assertEquals("text@1", check.textModelVersion(modelVersion("text@1"), "text@1"));
        SearchException e = refused(SearchException.Reason.INVALID, "filter.model_version",
                () -> check.textModelVersion(modelVersion("image@2"), "text@1"));
        assertTrue(e.getMessage().contains("embedded by text@1") && e.getMessage().contains("not image@2"), e.getMessage());
    }

    @Test
    void anExportNeedsADatasetAndAModelVersion() {
        refused(SearchException.Reason.INVALID, "dataset_id", () -> check.exportScope(null, "m@1"));
        refused(SearchException.Reason.INVALID, "model_version", () -> check.exportScope("ds", ""));
        assertDoesNotThrow(() -> check.exportScope("ds", "m@1"));
    }
}
