package dev.shoal.ingest.grpc;

import dev.shoal.ingest.messaging.EventPublisher;
import dev.shoal.ingest.service.CatalogService;
import dev.shoal.ingest.service.ConflictException;
import dev.shoal.ingest.service.InvalidRequestException;
import dev.shoal.ingest.store.StoreException;
import dev.shoal.proto.Inputs;
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

/**
 * The ingest API over gRPC. A batch with refused rows ends in INVALID_ARGUMENT whose description names each row
 * and field; the {@link BatchResult} (with how many valid rows were stored) travels in the trailer
 * {@link #BATCH_RESULT_KEY}, its errors listed as far as response metadata allows ({@link #trailerReport}).
 */
@GrpcService
public class IngestGrpcService implements IngestService {

    public static final Metadata.Key<BatchResult> BATCH_RESULT_KEY = ProtoUtils.keyForProto(BatchResult.getDefaultInstance());
    /**
     * Response metadata stays well under the 8 KiB clients accept: the description at most 1.5 KiB percent-encoded,
     * the trailer's report at most 3.5 KiB (about 4.7 KiB in base64), each error message at most 256 characters.
     */
    static final int MAX_DESCRIPTION_BYTES = 1536;
    static final int MAX_TRAILER_REPORT_BYTES = 3584;
    static final int MAX_ERROR_CHARS = 256;

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
                trailers.put(BATCH_RESULT_KEY, trailerReport(result));
                StringBuilder description = new StringBuilder(result.getErrorsCount() + " row(s) refused, " + result.getStored()
                        + " stored, " + result.getUnchanged() + " unchanged: ");
                int listed = 0;
                for (RowError e : result.getErrorsList()) {
                    String one = (listed == 0 ? "" : "; ") + Inputs.abbreviate(summary(e), MAX_ERROR_CHARS);
                    if (listed == 20 || encodedLength(description) + encodedLength(one) > MAX_DESCRIPTION_BYTES) {
                        description.append("; and ").append(result.getErrorsCount() - listed).append(" more");
                        break;
                    }
                    description.append(one);
                    listed++;
                }
                throw Status.INVALID_ARGUMENT.withDescription(description.toString()).asRuntimeException(trailers);
            }
            return result;
        });
    }

    /**
     * The report as it fits in the trailer: row ids shortened, and errors beyond {@link #MAX_TRAILER_REPORT_BYTES}
     * counted in {@code errors_omitted} instead of listed. gRPC clients refuse response metadata over 8 KiB (grpc-java's
     * default), so an unbounded report (a 100,000-character row id, 20,000 refused rows) would reach the client as
     * INTERNAL with no report at all.
     */
    static BatchResult trailerReport(BatchResult result) {
        BatchResult.Builder b = result.toBuilder().clearErrors();
        int size = b.build().getSerializedSize();
        for (int i = 0; i < result.getErrorsCount(); i++) {
            RowError e = result.getErrors(i);
            RowError shortened = e.toBuilder().setId(Inputs.abbreviate(e.getId()))
                    .setMessage(Inputs.abbreviate(e.getMessage(), MAX_ERROR_CHARS)).build();
            size += shortened.getSerializedSize() + 4;
            if (size > MAX_TRAILER_REPORT_BYTES) {
                return b.setErrorsOmitted(result.getErrorsCount() - i).build();
            }
            b.addErrors(shortened);
        }
        return b.build();
    }

    /** Bytes of {@code s} once percent-encoded for the {@code grpc-message} header (printable ASCII as it is). */
    static int encodedLength(CharSequence s) {
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            n += c >= ' ' && c < '~' && c != '%' ? 1 : c < 0x80 ? 3 : c < 0x800 ? 6 : 9;
        }
        return n;
    }

    private static <T> Uni<T> call(Supplier<T> work) {
        try {
            return Uni.createFrom().item(work.get());
        } catch (StatusRuntimeException e) {
            return Uni.createFrom().failure(e);
        } catch (InvalidRequestException e) {
            return Uni.createFrom().failure(Status.INVALID_ARGUMENT.withDescription(Inputs.abbreviate(e.getMessage(), MAX_ERROR_CHARS)).asRuntimeException());
        } catch (ConflictException e) {
            return Uni.createFrom().failure(Status.ALREADY_EXISTS.withDescription(Inputs.abbreviate(e.getMessage(), MAX_ERROR_CHARS)).asRuntimeException());
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
