package dev.shoal.embedding.search.grpc;

import dev.shoal.embedding.search.SearchRequest;
import dev.shoal.embedding.search.SearchResult;
import dev.shoal.embedding.store.SearchHit;
import dev.shoal.embedding.store.VectorRecord;
import dev.shoal.proto.embedding.v1.Neighbor;
import dev.shoal.proto.embedding.v1.SearchByFrameRequest;
import dev.shoal.proto.embedding.v1.SearchByFramesRequest;
import dev.shoal.proto.embedding.v1.SearchByTextRequest;
import dev.shoal.proto.embedding.v1.SearchByVectorRequest;
import dev.shoal.proto.embedding.v1.SearchFilter;
import dev.shoal.proto.embedding.v1.SearchResponse;
import dev.shoal.proto.embedding.v1.StoredVector;

import java.util.List;

/**
 * Proto messages to and from the search domain (STYLE.md #6). Requests are mapped as they are, k included (proto3
 * cannot tell an unset k from 0, and 0 is refused): VectorSearchService validates them (SearchRequestValidator),
 * the same way as REST's.
 */
final class SearchMapper {

    private SearchMapper() {
    }

    static SearchRequest.ByVector request(SearchByVectorRequest req) {
        return new SearchRequest.ByVector(floats(req.getVectorList()), req.getK(), filter(req.getFilter()));
    }

    static SearchRequest.ByFrame request(SearchByFrameRequest req) {
        return new SearchRequest.ByFrame(req.getFrameId(), req.getK(), filter(req.getFilter()));
    }

    static SearchRequest.ByFrames request(SearchByFramesRequest req) {
        return new SearchRequest.ByFrames(req.getFrameIdsList(), req.getK(), filter(req.getFilter()));
    }

    static SearchRequest.ByText request(SearchByTextRequest req) {
        return new SearchRequest.ByText(req.getText(), req.getK(), filter(req.getFilter()));
    }

    static SearchRequest.Filter filter(SearchFilter f) {
        Boolean labeled = switch (f.getLabeled()) {
            case LABELED_ONLY -> Boolean.TRUE;
            case UNLABELED_ONLY -> Boolean.FALSE;
            default -> null;
        };
        return new SearchRequest.Filter(f.getDatasetId(), f.getModelVersion(), f.getSplit(), labeled, f.getLabel(),
                f.getPrediction());
    }

    static float[] floats(List<Float> values) {
        float[] out = new float[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = values.get(i);
        }
        return out;
    }

    static SearchResponse response(SearchResult r, boolean withVectors) {
        SearchResponse.Builder b = SearchResponse.newBuilder().setModelVersion(r.modelVersion()).setDimension(r.dimension());
        for (SearchHit h : r.hits()) {
            b.addNeighbors(Neighbor.newBuilder().setFrame(vector(h.record(), withVectors)).setScore(h.score()));
        }
        return b.build();
    }

    static StoredVector vector(VectorRecord r, boolean withVector) {
        StoredVector.Builder b = StoredVector.newBuilder()
                .setFrameId(r.frameId())
                .setModelVersion(r.modelVersion())
                .setLabeled(r.labeled());
        if (r.datasetId() != null) {
            b.setDatasetId(r.datasetId());
        }
        if (r.split() != null) {
            b.setSplit(r.split());
        }
        if (r.label() != null) {
            b.setLabel(r.label());
        }
        if (r.prediction() != null) {
            b.setPrediction(r.prediction());
        }
        if (r.labelerId() != null) {
            b.setLabelerId(r.labelerId());
        }
        if (withVector && r.vector() != null) {
            for (float x : r.vector()) {
                b.addVector(x);
            }
        }
        return b.build();
    }
}
