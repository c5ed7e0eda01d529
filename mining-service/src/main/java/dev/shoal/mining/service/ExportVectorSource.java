package dev.shoal.mining.service;

import dev.shoal.mining.config.MiningConfig;
import dev.shoal.proto.embedding.v1.ExportVectorsRequest;
import dev.shoal.proto.embedding.v1.SearchServiceGrpc;
import dev.shoal.proto.embedding.v1.StoredVector;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.Collection;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * Vectors that embedding-service computed: EmbeddingComputed carries no vector, so they are read through the
 * SearchService.ExportVectors server stream (embedding-v1.proto), with a deadline; a failure is explicit
 * ({@link VectorsUnavailable}) and fails the analysis with its reason. The store names a model version
 * {@code modelId@version}.
 */
@ApplicationScoped
public class ExportVectorSource implements VectorSource {

    @Inject
    MiningConfig config;

    @GrpcClient("embedding")
    SearchServiceGrpc.SearchServiceBlockingStub search;

    @Override
    public String source() {
        return "computed";
    }

    @Override
    public void stream(String datasetId, String modelId, String modelVersion, BiConsumer<String, float[]> sink) {
        export(datasetId, modelId, modelVersion, null, sink);
    }

    @Override
    public void fetch(String datasetId, String modelId, String modelVersion, Collection<String> frameIds,
                      BiConsumer<String, float[]> sink) {
        export(datasetId, modelId, modelVersion, new HashSet<>(frameIds), sink);
    }

    public static String storeVersion(String modelId, String modelVersion) {
        return modelId + "@" + modelVersion;
    }

    private void export(String datasetId, String modelId, String modelVersion, Set<String> only, BiConsumer<String, float[]> sink) {
        try {
            Iterator<StoredVector> it = search.withDeadlineAfter(config.embeddingService().timeout().toMillis(), TimeUnit.MILLISECONDS)
                    .exportVectors(ExportVectorsRequest.newBuilder().setDatasetId(datasetId)
                            .setModelVersion(storeVersion(modelId, modelVersion)).build());
            while (it.hasNext()) {
                StoredVector v = it.next();
                if (only != null && !only.contains(v.getFrameId())) {
                    continue;
                }
                float[] f = new float[v.getVectorCount()];
                for (int i = 0; i < f.length; i++) {
                    f[i] = v.getVector(i);
                }
                sink.accept(v.getFrameId(), f);
            }
        } catch (StatusRuntimeException e) {
            throw new VectorsUnavailable("embedding-service ExportVectors(" + datasetId + ", "
                    + storeVersion(modelId, modelVersion) + ") failed: " + e.getStatus());
        }
    }

    /** The computed vectors could not be read. */
    public static final class VectorsUnavailable extends RuntimeException {
        public VectorsUnavailable(String message) {
            super(message);
        }
    }
}
