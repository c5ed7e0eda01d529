package dev.shoal.mining.service;

import dev.shoal.mining.config.MiningConfig;
import dev.shoal.proto.embedding.v1.LabeledFilter;
import dev.shoal.proto.embedding.v1.Neighbor;
import dev.shoal.proto.embedding.v1.SearchByVectorRequest;
import dev.shoal.proto.embedding.v1.SearchFilter;
import dev.shoal.proto.embedding.v1.SearchServiceGrpc;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Pool search through embedding-service's ANN index (SearchService.SearchByVector, unlabeled pool only), for
 * computed embeddings, whose vectors live there. Asks for {@code limit + |exclude|} so excluded seeds never
 * shorten the answer.
 */
@ApplicationScoped
public class EmbeddingServicePoolSearch {

    @Inject
    MiningConfig config;

    @GrpcClient("embedding")
    SearchServiceGrpc.SearchServiceBlockingStub search;

    public List<PoolSearch.Hit> similar(String datasetId, String modelId, String modelVersion, float[] query, int limit,
                                        Set<String> exclude) {
        SearchByVectorRequest.Builder b = SearchByVectorRequest.newBuilder()
                .setK(Math.min(1000, limit + exclude.size()))
                .setFilter(SearchFilter.newBuilder().setDatasetId(datasetId)
                        .setModelVersion(ExportVectorSource.storeVersion(modelId, modelVersion))
                        .setLabeled(LabeledFilter.UNLABELED_ONLY));
        for (float f : query) {
            b.addVector(f);
        }
        try {
            List<PoolSearch.Hit> out = new ArrayList<>();
            for (Neighbor n : search.withDeadlineAfter(config.embeddingService().timeout().toMillis(), TimeUnit.MILLISECONDS)
                    .searchByVector(b.build()).getNeighborsList()) {
                if (!exclude.contains(n.getFrame().getFrameId()) && out.size() < limit) {
                    out.add(new PoolSearch.Hit(n.getFrame().getFrameId(), n.getScore()));
                }
            }
            return out;
        } catch (StatusRuntimeException e) {
            throw new ExportVectorSource.VectorsUnavailable("embedding-service SearchByVector failed: " + e.getStatus());
        }
    }
}
