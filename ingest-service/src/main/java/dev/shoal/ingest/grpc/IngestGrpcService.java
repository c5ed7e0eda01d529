package dev.shoal.ingest.grpc;

import dev.shoal.ingest.messaging.EventPublisher;
import dev.shoal.ingest.service.CatalogService;
import dev.shoal.ingest.service.ConflictException;
import dev.shoal.ingest.service.InvalidRequestException;
import dev.shoal.ingest.store.StoreException;
import dev.shoal.proto.common.v1.BatchResult;
import dev.shoal.proto.common.v1.RowError;
import dev.shoal.proto.ingest.v1.CreateDatasetRequest;
import dev.shoal.proto.ingest.v1.CreateDatasetResponse;
import dev.shoal.proto.ingest.v1.IngestService;
import dev.shoal.proto.ingest.v1.ListDatasetsRequest;
import dev.shoal.proto.ingest.v1.ListDatasetsResponse;
import dev.shoal.proto.ingest.v1.RegisterModelVersionRequest;
import dev.shoal.proto.ingest.v1.RegisterModelVersionResponse;
import dev.shoal.proto.ingest.v1.UpsertEmbeddingsRequest;
import dev.shoal.proto.ingest.v1.UpsertFramesRequest;
import dev.shoal.proto.ingest.v1.UpsertInferencesRequest;
import dev.shoal.proto.ingest.v1.UpsertLabelsRequest;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.ProtoUtils;
import io.quarkus.grpc.GrpcService;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;

import java.util.UUID;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The ingest API over gRPC. A batch with refused rows ends in INVALID_ARGUMENT whose description names each row
 * and field; the full {@link BatchResult} (with how many valid rows were stored) travels in the trailer
 * {@link #BATCH_RESULT_KEY}.
 */
@GrpcService
public class IngestGrpcService implements IngestService {

    public static final Metadata.Key<BatchResult> BATCH_RESULT_KEY = ProtoUtils.keyForProto(BatchResult.getDefaultInstance());

    @Inject
    CatalogService catalog;

    @Override
    @Blocking
    public Uni<CreateDatasetResponse> createDataset(CreateDatasetRequest request) {
        return call(() -> {
            var result = catalog.createDataset(request.getDataset(), UUID.randomUUID().toString());
            return CreateDatasetResponse.newBuilder().setDataset(result.value()).setCreated(result.created()).build();
        });
    }

    @Override
    @Blocking
    public Uni<ListDatasetsResponse> listDatasets(ListDatasetsRequest request) {
        return call(() -> ListDatasetsResponse.newBuilder().addAllDatasets(catalog.listDatasets()).build());
    }

    @Override
    @Blocking
    public Uni<BatchResult> upsertFrames(UpsertFramesRequest request) {
        return batch(() -> catalog.upsertFrames(request.getFramesList(), UUID.randomUUID().toString()));
    }

    @Override
    @Blocking
    public Uni<BatchResult> upsertLabels(UpsertLabelsRequest request) {
        return batch(() -> catalog.upsertLabels(request.getLabelsList(), UUID.randomUUID().toString()));
    }

    @Override
    @Blocking
    public Uni<BatchResult> upsertInferences(UpsertInferencesRequest request) {
        return batch(() -> catalog.upsertInferences(request.getInferencesList(), UUID.randomUUID().toString()));
    }

    @Override
    @Blocking
    public Uni<BatchResult> upsertEmbeddings(UpsertEmbeddingsRequest request) {
        return batch(() -> catalog.upsertEmbeddings(request.getEmbeddingsList(), UUID.randomUUID().toString()));
    }

    @Override
    @Blocking
    public Uni<RegisterModelVersionResponse> registerModelVersion(RegisterModelVersionRequest request) {
        return call(() -> {
            var result = catalog.registerModelVersion(request.getModelVersion(), UUID.randomUUID().toString());
            return RegisterModelVersionResponse.newBuilder().setModelVersion(result.value()).setCreated(result.created()).build();
        });
    }

    private Uni<BatchResult> batch(Supplier<BatchResult> work) {
        return call(() -> {
            BatchResult result = work.get();
            if (result.getErrorsCount() > 0) {
                Metadata trailers = new Metadata();
                trailers.put(BATCH_RESULT_KEY, result);
                String description = result.getErrorsCount() + " row(s) refused, " + result.getStored() + " stored, "
                        + result.getUnchanged() + " unchanged: " + result.getErrorsList().stream().limit(20)
                        .map(e -> e.getField() + ": " + e.getMessage()).collect(Collectors.joining("; "));
                throw Status.INVALID_ARGUMENT.withDescription(description).asRuntimeException(trailers);
            }
            return result;
        });
    }

    private static <T> Uni<T> call(Supplier<T> work) {
        try {
            return Uni.createFrom().item(work.get());
        } catch (StatusRuntimeException e) {
            return Uni.createFrom().failure(e);
        } catch (InvalidRequestException e) {
            return Uni.createFrom().failure(Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException());
        } catch (ConflictException e) {
            return Uni.createFrom().failure(Status.ALREADY_EXISTS.withDescription(e.getMessage()).asRuntimeException());
        } catch (StoreException e) {
            return Uni.createFrom().failure(Status.UNAVAILABLE.withDescription(e.publicMessage()).withCause(e).asRuntimeException());
        } catch (EventPublisher.PublishException e) {
            return Uni.createFrom().failure(Status.UNAVAILABLE.withDescription(e.getMessage()).withCause(e).asRuntimeException());
        }
    }

    /** For clients: the BatchResult carried by an INVALID_ARGUMENT, if any. */
    public static BatchResult batchResultOf(StatusRuntimeException e) {
        Metadata trailers = e.getTrailers();
        return trailers == null ? null : trailers.get(BATCH_RESULT_KEY);
    }

    static String summary(RowError e) {
        return e.getField() + ": " + e.getMessage();
    }
}
