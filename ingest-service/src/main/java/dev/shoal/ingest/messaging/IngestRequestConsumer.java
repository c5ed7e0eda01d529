package dev.shoal.ingest.messaging;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import dev.shoal.ingest.service.CatalogService;
import dev.shoal.ingest.service.ConflictException;
import dev.shoal.ingest.service.InvalidRequestException;
import dev.shoal.ingest.store.StoreException;
import dev.shoal.proto.CloudEventHeaders;
import dev.shoal.proto.EventCodec;
import dev.shoal.proto.common.v1.BatchResult;
import dev.shoal.proto.ingest.v1.IngestRequest;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletionStage;
import java.util.stream.Collectors;

/**
 * Consumes {@code shoal.ingest.requests.v1}, the topic training systems publish to. Records are
 * {@link IngestRequest}s in binary protobuf or proto3-JSON (chosen by the {@code content-type} header, else
 * sniffed). Same validation and same effect as the APIs. A record that does not parse, or whose batch had
 * refused rows (its valid rows are stored), goes to {@code shoal.ingest.requests.v1.dlq} with the reason.
 * Transient failures (database or broker down) are retried before the record is given up to the DLQ.
 */
@ApplicationScoped
public class IngestRequestConsumer {

    public static final String CHANNEL = "ingest-requests";
    private static final Logger LOG = Logger.getLogger(IngestRequestConsumer.class);
    private static final int ATTEMPTS = 6;

    @Inject
    CatalogService catalog;

    @Incoming(CHANNEL)
    @Blocking
    public CompletionStage<Void> consume(Message<byte[]> message) {
        try {
            IngestRequest request = parse(message);
            String correlation = request.getRequestId().isEmpty() ? position(message) : request.getRequestId();
            BatchResult result = withRetries(() -> apply(request, correlation));
            if (result != null && result.getErrorsCount() > 0) {
                String reason = result.getErrorsCount() + " row(s) refused (" + result.getStored() + " stored, "
                        + result.getUnchanged() + " unchanged): " + result.getErrorsList().stream().limit(50)
                        .map(e -> e.getField() + ": " + e.getMessage()).collect(Collectors.joining("; "));
                return message.nack(new InvalidRequestException(reason));
            }
            return message.ack();
        } catch (InvalidRequestException | ConflictException e) {
            return message.nack(e);
        } catch (RuntimeException e) {
            LOG.errorf(e, "ingest request at %s failed after %d attempts", position(message), ATTEMPTS);
            return message.nack(e);
        }
    }

    private BatchResult apply(IngestRequest request, String correlation) {
        return switch (request.getBodyCase()) {
            case CREATE_DATASET -> {
                catalog.createDataset(request.getCreateDataset().getDataset(), correlation);
                yield null;
            }
            case UPSERT_FRAMES -> catalog.upsertFrames(request.getUpsertFrames().getFramesList(), correlation);
            case UPSERT_LABELS -> catalog.upsertLabels(request.getUpsertLabels().getLabelsList(), correlation);
            case UPSERT_INFERENCES -> catalog.upsertInferences(request.getUpsertInferences().getInferencesList(), correlation);
            case UPSERT_EMBEDDINGS -> catalog.upsertEmbeddings(request.getUpsertEmbeddings().getEmbeddingsList(), correlation);
            case REGISTER_MODEL_VERSION -> {
                catalog.registerModelVersion(request.getRegisterModelVersion().getModelVersion(), correlation);
                yield null;
            }
            case BODY_NOT_SET -> throw new InvalidRequestException("IngestRequest has no body (set one of create_dataset, "
                    + "upsert_frames, upsert_labels, upsert_inferences, upsert_embeddings, register_model_version)");
        };
    }

    private static BatchResult withRetries(java.util.function.Supplier<BatchResult> work) {
        long backoff = 200;
        for (int attempt = 1; ; attempt++) {
            try {
                return work.get();
            } catch (StoreException | EventPublisher.PublishException e) {
                if (attempt >= ATTEMPTS) {
                    throw e;
                }
                LOG.warnf("transient failure (attempt %d/%d), retrying in %d ms: %s", attempt, ATTEMPTS, backoff, e.getMessage());
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
                backoff = Math.min(backoff * 2, 5000);
            }
        }
    }

    static IngestRequest parse(Message<byte[]> message) {
        byte[] payload = message.getPayload();
        if (payload == null || payload.length == 0) {
            throw new InvalidRequestException("empty record: expected an IngestRequest (binary protobuf or proto3-JSON)");
        }
        String contentType = message.getMetadata(IncomingKafkaRecordMetadata.class)
                .map(m -> m.getHeaders().lastHeader(CloudEventHeaders.CONTENT_TYPE))
                .map(h -> new String(h.value(), StandardCharsets.UTF_8))
                .orElse(null);
        boolean json = EventCodec.isJson(contentType, payload);
        try {
            if (json) {
                IngestRequest.Builder b = IngestRequest.newBuilder();
                JsonFormat.parser().merge(new String(payload, StandardCharsets.UTF_8), b);
                return b.build();
            }
            return IngestRequest.parseFrom(payload);
        } catch (InvalidProtocolBufferException e) {
            throw new InvalidRequestException("malformed IngestRequest (" + (json ? "proto3-JSON" : "binary protobuf") + "): " + e.getMessage());
        }
    }

    private static String position(Message<?> message) {
        return message.getMetadata(IncomingKafkaRecordMetadata.class)
                .map(m -> m.getTopic() + "-" + m.getPartition() + "@" + m.getOffset())
                .orElse("unknown");
    }
}
