package dev.shoal.embedding.search;

import dev.shoal.embedding.store.SearchHit;
import dev.shoal.embedding.store.SearchQuery;
import dev.shoal.embedding.store.VectorFilter;
import dev.shoal.embedding.store.VectorRecord;
import dev.shoal.embedding.store.VectorStore;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Similarity search over the {@link VectorStore}: k nearest neighbours of a vector, of a stored frame, of the
 * centroid of several stored frames, or of a text (embedded by the service's text model). Every request passes the
 * one {@link SearchRequestValidator}, which reports bad input as {@link SearchException} naming the field; the REST
 * and gRPC layers only map their messages to {@link SearchRequest} and translate the exception.
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

    private SearchRequestValidator check;

    @PostConstruct
    void init() {
        check = new SearchRequestValidator(maxK, maxQueryFrames);
    }

    public SearchResult byVector(SearchRequest.ByVector req) {
        check.k(req.k());
        String mv = check.requiredModelVersion(req.filter());
        check.vector(req.vector());
        int dim = check.storedDimension(mv, store.dimension(mv));
        check.sameDimension(req.vector(), mv, dim);
        return search(req.vector(), req.k(), req.filter().toStore(mv), mv, dim);
    }

    public SearchResult byFrame(SearchRequest.ByFrame req) {
        check.k(req.k());
        String mv = check.requiredModelVersion(req.filter());
        check.frameId(req.frameId());
        VectorRecord frame = load("frame_id", req.frameId(), mv);
        return search(frame.vector(), req.k(), req.filter().toStore(mv).excluding(Set.of(req.frameId())), mv,
                frame.vector().length);
    }

    public SearchResult byFrames(SearchRequest.ByFrames req) {
        check.k(req.k());
        String mv = check.requiredModelVersion(req.filter());
        Set<String> unique = check.frameIds(req.frameIds());
        List<String> ids = req.frameIds(); // for the field name of a missing frame: frame_ids[its first index]
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
        check.k(req.k());
        check.text(req.text());
        if (!textEmbedder.isResolvable()) {
            throw new SearchException(SearchException.Reason.UNAVAILABLE, "text",
                    "text model not loaded: this build has no text embedder");
        }
        TextQueryEmbedder.Embedded q = textEmbedder.get().embed(req.text());
        String mv = check.textModelVersion(req.filter(), q.modelVersion());
        return search(q.vector(), req.k(), req.filter().toStore(mv), mv, q.vector().length);
    }

    public long count(String datasetId, String modelVersion) {
        return store.count(SearchRequest.blankToNull(datasetId), SearchRequest.blankToNull(modelVersion));
    }

    /** Every vector of a dataset and model version, lazily; close the stream. */
    public Stream<VectorRecord> export(String datasetId, String modelVersion) {
        check.exportScope(datasetId, modelVersion);
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

    private static boolean allZero(float[] v) {
        for (float x : v) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }
}
