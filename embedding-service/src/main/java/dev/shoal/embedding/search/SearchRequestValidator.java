package dev.shoal.embedding.search;

import dev.shoal.embedding.store.VectorValidation;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;

/**
 * The checks a search request passes before the store answers it, whichever API it came through: the REST
 * {@code SearchResource} and the gRPC {@code SearchGrpcService} both hand their request to
 * {@link VectorSearchService}, which runs these. Every failure is a {@link SearchException} naming the request field
 * as embedding-v1.proto spells it ({@code k}, {@code vector}, {@code frame_id}, {@code frame_ids[i]}, {@code text},
 * {@code filter.model_version}, {@code dataset_id}, {@code model_version}), so both APIs name the same field the same
 * way. Plain Java, so each bad-input case is unit-tested without Quarkus ({@code SearchRequestValidatorTest}).
 */
public final class SearchRequestValidator {

    /** Longest text query accepted, in characters. */
    public static final int MAX_TEXT_LENGTH = 10_000;

    private final int maxK;
    private final int maxQueryFrames;

    /**
     * @param maxK           largest k accepted ({@code shoal.search.max-k})
     * @param maxQueryFrames most frame ids a centroid query may name ({@code shoal.search.max-query-frames})
     */
    public SearchRequestValidator(int maxK, int maxQueryFrames) {
        this.maxK = maxK;
        this.maxQueryFrames = maxQueryFrames;
    }

    /** k is between 1 and max-k. */
    public void k(int k) {
        if (k <= 0 || k > maxK) {
            throw SearchException.invalid("k", "must be between 1 and " + maxK + ", was " + k);
        }
    }

    /** The filter's model version, which vector, frame and centroid queries must name. */
    public String requiredModelVersion(SearchRequest.Filter filter) {
        String mv = filter.modelVersionOrNull();
        if (mv == null) {
            throw SearchException.invalid("filter.model_version",
                    "is required: vectors of different models are not comparable");
        }
        return mv;
    }

    /**
     * The dimension of a model version's stored vectors, as the store reported it ({@code stored}); empty means
     * the store holds no vectors of that version: NOT_FOUND.
     */
    public int storedDimension(String modelVersion, OptionalInt stored) {
        if (stored.isEmpty()) {
            throw new SearchException(SearchException.Reason.NOT_FOUND, "filter.model_version",
                    "filter.model_version: the store holds no vectors of model version " + modelVersion);
        }
        return stored.getAsInt();
    }

    /** A usable cosine query: non-empty, at most the largest dimension, finite, not all zero ({@link VectorValidation}). */
    public void vector(float[] vector) {
        try {
            VectorValidation.checkVector("vector", vector);
        } catch (IllegalArgumentException e) {
            throw new SearchException(SearchException.Reason.INVALID, "vector", e.getMessage());
        }
    }

    /** The query vector has the dimension of the model version's stored vectors. */
    public void sameDimension(float[] vector, String modelVersion, int dimension) {
        if (vector.length != dimension) {
            throw SearchException.invalid("vector", "has " + vector.length + " dimensions, model version "
                    + modelVersion + " has " + dimension);
        }
    }

    /** A frame query names a frame. */
    public void frameId(String frameId) {
        if (frameId == null || frameId.isBlank()) {
            throw SearchException.invalid("frame_id", "is required");
        }
    }

    /**
     * A centroid query names 1..max-query-frames frames, none blank.
     *
     * @return the distinct frame ids, in the order first given
     */
    public Set<String> frameIds(List<String> frameIds) {
        List<String> ids = frameIds == null ? List.of() : frameIds;
        if (ids.isEmpty()) {
            throw SearchException.invalid("frame_ids", "at least one frame id is required");
        }
        if (ids.size() > maxQueryFrames) {
            throw SearchException.invalid("frame_ids", "has " + ids.size() + " ids, at most " + maxQueryFrames + " allowed");
        }
        Set<String> unique = new LinkedHashSet<>();
        for (int i = 0; i < ids.size(); i++) {
            if (ids.get(i) == null || ids.get(i).isBlank()) {
                throw SearchException.invalid("frame_ids[" + i + "]", "is blank");
            }
            unique.add(ids.get(i));
        }
        return unique;
    }

    /** A text query has 1..{@link #MAX_TEXT_LENGTH} characters, not all blank. */
    public void text(String text) {
        if (text == null || text.isBlank()) {
            throw SearchException.invalid("text", "is required");
        }
        if (text.length() > MAX_TEXT_LENGTH) {
            throw SearchException.invalid("text", "is " + text.length() + " characters, at most " + MAX_TEXT_LENGTH
                    + " allowed");
        }
    }

    /**
     * The model version a text query searches: the text model's own ({@code textModelVersion}), which the filter may
     * name but not contradict.
     */
    public String textModelVersion(SearchRequest.Filter filter, String textModelVersion) {
        String mv = filter.modelVersionOrNull() == null ? textModelVersion : filter.modelVersionOrNull();
        if (!mv.equals(textModelVersion)) {
            throw SearchException.invalid("filter.model_version", "text queries are embedded by " + textModelVersion
                    + ", so they can only search its vectors, not " + mv);
        }
        return mv;
    }

    /** An export names both its dataset and its model version. */
    public void exportScope(String datasetId, String modelVersion) {
        if (datasetId == null || datasetId.isBlank()) {
            throw SearchException.invalid("dataset_id", "is required");
        }
        if (modelVersion == null || modelVersion.isBlank()) {
            throw SearchException.invalid("model_version", "is required");
        }
    }
}
