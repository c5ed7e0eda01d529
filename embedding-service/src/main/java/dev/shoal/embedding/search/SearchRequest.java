package dev.shoal.embedding.search;

import dev.shoal.embedding.store.VectorFilter;

import java.util.List;

/** The protocol-neutral search request the REST and gRPC layers build. */
public final class SearchRequest {

    private SearchRequest() {
    }

    /**
     * Filters as the APIs take them: blank strings mean "any", {@code labeled} is null for both.
     */
    public record Filter(String datasetId, String modelVersion, String split, Boolean labeled, String label,
                         String prediction) {

        public static final Filter NONE = new Filter(null, null, null, null, null, null);

        VectorFilter toStore(String resolvedModelVersion) {
            return new VectorFilter(blankToNull(datasetId), resolvedModelVersion, blankToNull(split), labeled,
                    blankToNull(label), blankToNull(prediction), null);
        }

        String modelVersionOrNull() {
            return blankToNull(modelVersion);
        }
    }

    public record ByVector(float[] vector, int k, Filter filter) {
    }

    public record ByFrame(String frameId, int k, Filter filter) {
    }

    public record ByFrames(List<String> frameIds, int k, Filter filter) {
    }

    public record ByText(String text, int k, Filter filter) {
    }

    static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
