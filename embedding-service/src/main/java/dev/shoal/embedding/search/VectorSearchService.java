package dev.shoal.embedding.search;

import dev.shoal.embedding.store.SearchHit;
import dev.shoal.embedding.store.SearchQuery;
import dev.shoal.embedding.store.VectorFilter;
import dev.shoal.embedding.store.VectorRecord;
import dev.shoal.embedding.store.VectorStore;
import dev.shoal.embedding.store.VectorValidation;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Similarity search over the {@link VectorStore}: k nearest neighbours of a vector, of a stored frame, of the
 * centroid of several stored frames, or of a text (embedded by the service's text model). Validates every request
 * and reports bad input as {@link SearchException} naming the field; the REST and gRPC layers only translate.
 */
@ApplicationScoped
public class VectorSearchService {

    @Inject
    VectorStore store;

    @Inject
    Instance<TextQueryEmbedder> textEmbedder;

    @ConfigProperty(name = "shoal.search.max-k", defaultValue = "1000")
    int maxK;

    @ConfigProperty(name = "shoal.search.max-query-frames", defaultValue = "1000")
    int maxQueryFrames;

    public SearchResult byVector(SearchRequest.ByVector req) {
        checkK(req.k());
        String mv = requireModelVersion(req.filter());
        checkVector("vector", req.vector());
        int dim = dimensionOf(mv);
        if (req.vector().length != dim) {
            throw SearchException.invalid("vector", "has " + req.vector().length + " dimensions, model version " + mv
                    + " has " + dim);
        }
        return search(req.vector(), req.k(), req.filter().toStore(mv), mv, dim);
    }

    public SearchResult byFrame(SearchRequest.ByFrame req) {
        checkK(req.k());
        String mv = requireModelVersion(req.filter());
        if (req.frameId() == null || req.frameId().isBlank()) {
            throw SearchException.invalid("frame_id", "is required");
        }
        VectorRecord frame = load("frame_id", req.frameId(), mv);
        return search(frame.vector(), req.k(), req.filter().toStore(mv).excluding(Set.of(req.frameId())), mv,
                frame.vector().length);
    }

    public SearchResult byFrames(SearchRequest.ByFrames req) {
        checkK(req.k());
        String mv = requireModelVersion(req.filter());
        List<String> ids = req.frameIds() == null ? List.of() : req.frameIds();
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
        double[] sum = null;
        int i = 0;
        for (String id : unique) {
            float[] v = load("frame_ids[" + ids.indexOf(id) + "]", id, mv).vector();
            if (sum == null) {
                sum = new double[v.length];
            }
            double norm = 0;
            for (float x : v) {
                norm += (double) x * x;
            }
            norm = Math.sqrt(norm);
            for (int j = 0; j < v.length; j++) {
                sum[j] += v[j] / norm;
            }
            i++;
        }
        float[] centroid = new float[sum.length];
        for (int j = 0; j < sum.length; j++) {
            centroid[j] = (float) (sum[j] / i);
        }
        if (allZero(centroid)) {
            throw SearchException.invalid("frame_ids", "the frames' vectors cancel out: their centroid is zero");
        }
        return search(centroid, req.k(), req.filter().toStore(mv).excluding(unique), mv, centroid.length);
    }

    public SearchResult byText(SearchRequest.ByText req) {
        checkK(req.k());
        if (req.text() == null || req.text().isBlank()) {
            throw SearchException.invalid("text", "is required");
        }
        if (req.text().length() > 10_000) {
            throw SearchException.invalid("text", "is " + req.text().length() + " characters, at most 10000 allowed");
        }
        if (!textEmbedder.isResolvable()) {
            throw new SearchException(SearchException.Reason.UNAVAILABLE, "text",
                    "text model not loaded: this build has no text embedder");
        }
        TextQueryEmbedder.Embedded q = textEmbedder.get().embed(req.text());
        String mv = req.filter().modelVersionOrNull() == null ? q.modelVersion() : req.filter().modelVersionOrNull();
        if (!mv.equals(q.modelVersion())) {
            throw SearchException.invalid("filter.model_version", "text queries are embedded by " + q.modelVersion()
                    + ", so they can only search its vectors, not " + mv);
        }
        return search(q.vector(), req.k(), req.filter().toStore(mv), mv, q.vector().length);
    }

    public long count(String datasetId, String modelVersion) {
        return store.count(SearchRequest.blankToNull(datasetId), SearchRequest.blankToNull(modelVersion));
    }

    /** Every vector of a dataset and model version, lazily; close the stream. */
    public Stream<VectorRecord> export(String datasetId, String modelVersion) {
        if (datasetId == null || datasetId.isBlank()) {
            throw SearchException.invalid("dataset_id", "is required");
        }
        if (modelVersion == null || modelVersion.isBlank()) {
            throw SearchException.invalid("model_version", "is required");
        }
        return store.export(datasetId, modelVersion);
    }

    private SearchResult search(float[] vector, int k, VectorFilter filter, String mv, int dim) {
        List<SearchHit> hits = store.search(new SearchQuery(vector, k, filter));
        return new SearchResult(new ArrayList<>(hits), mv, dim);
    }

    private VectorRecord load(String field, String frameId, String mv) {
        return store.get(frameId, mv).orElseThrow(() -> new SearchException(SearchException.Reason.NOT_FOUND, field,
                field + ": frame " + frameId + " has no vector of model version " + mv));
    }

    private void checkK(int k) {
        if (k <= 0 || k > maxK) {
            throw SearchException.invalid("k", "must be between 1 and " + maxK + ", was " + k);
        }
    }

    private static String requireModelVersion(SearchRequest.Filter filter) {
        String mv = filter.modelVersionOrNull();
        if (mv == null) {
            throw SearchException.invalid("filter.model_version",
                    "is required: vectors of different models are not comparable (e.g. all-minilm-l6-v2@1)");
        }
        return mv;
    }

    private int dimensionOf(String mv) {
        OptionalInt dim = store.dimension(mv);
        if (dim.isEmpty()) {
            throw new SearchException(SearchException.Reason.NOT_FOUND, "filter.model_version",
                    "filter.model_version: the store holds no vectors of model version " + mv);
        }
        return dim.getAsInt();
    }

    private static void checkVector(String field, float[] v) {
        try {
            VectorValidation.checkVector(field, v);
        } catch (IllegalArgumentException e) {
            throw new SearchException(SearchException.Reason.INVALID, field, e.getMessage());
        }
    }

    private static boolean allZero(float[] v) {
        for (float x : v) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }
}
