package dev.shoal.ingest.messaging;

import com.google.protobuf.Message;
import dev.shoal.ingest.config.IngestConfig;
import dev.shoal.proto.CloudEventHeaders;
import dev.shoal.proto.Envelopes;
import dev.shoal.proto.Topics;
import dev.shoal.proto.common.v1.EventEnvelope;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Timestamp;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Publishes catalog events: binary protobuf, keyed by aggregate id, with CloudEvents headers, through one
 * idempotent Kafka producer ({@code acks=all}). {@link #await} blocks until the broker acknowledged every event
 * of a batch, so a batch call returns only once its events are durable.
 *
 * <p>Why a plain {@link KafkaProducer} and not a SmallRye {@code Emitter}: ingest publishes one event per stored
 * row, and a profile of the emitter path showed per-message context propagation and a hop to SmallRye's producer
 * thread; with the plain call the service's CPU per ingested frame went from 164 to 142 µs in one measurement on the
 * shared box (docs/benchmarks/ingest.md). The record on the wire is the same. Incoming records and the DLQ stay on
 * SmallRye.
 */
@ApplicationScoped
public class EventPublisher {

    public static final String PRODUCER = "ingest-service";

    public static final String DATASET_EVENTS = "dataset-events";
    public static final String FRAME_EVENTS = "frame-events";
    public static final String LABEL_EVENTS = "label-events";
    public static final String INFERENCE_EVENTS = "inference-events";
    public static final String EMBEDDING_EVENTS = "embedding-events";
    public static final String MODEL_EVENTS = "model-events";

    private static final Map<String, String> TOPICS = Map.of(
            DATASET_EVENTS, Topics.DATASET_CREATED,
            FRAME_EVENTS, Topics.FRAME_UPSERTED,
            LABEL_EVENTS, Topics.LABEL_UPSERTED,
            INFERENCE_EVENTS, Topics.INFERENCE_UPSERTED,
            EMBEDDING_EVENTS, Topics.EMBEDDING_SUPPLIED,
            MODEL_EVENTS, Topics.MODEL_VERSION_REGISTERED);

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @Inject
    IngestConfig config;

    private KafkaProducer<String, byte[]> producer;

    @PostConstruct
    void start() {
        Map<String, Object> props = new HashMap<>();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, PRODUCER + "-events");
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.LINGER_MS_CONFIG, config.events().lingerMs());
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, config.events().batchSize());
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, config.events().compression());
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 16 * 1024 * 1024);
        // a send waits for topic metadata at most as long as a batch waits for its acknowledgements
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) Math.min(Integer.MAX_VALUE, config.publishTimeout().toMillis()));
        producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }

    @PreDestroy
    void stop() {
        producer.close(Duration.ofSeconds(10));
    }

    public EventEnvelope envelope(String datasetId, String aggregateId, String correlationId) {
        return Envelopes.create(PRODUCER, datasetId, aggregateId, correlationId);
    }

    /** Sends one event; the future completes when the broker acknowledged it. */
    public CompletableFuture<Void> send(String channel, EventEnvelope envelope, Message event) {
        String topic = TOPICS.get(channel);
        if (topic == null) {
            throw new IllegalArgumentException("unknown channel " + channel);
        }
        RecordHeaders headers = new RecordHeaders();
        CloudEventHeaders.of(envelope, event).forEach((name, value) -> headers.add(name, utf8(value)));
        headers.add(CloudEventHeaders.SUBJECT, utf8(envelope.getAggregateId()));
        CompletableFuture<Void> acked = new CompletableFuture<>();
        try {
            producer.send(new ProducerRecord<>(topic, null, envelope.getAggregateId(), event.toByteArray(), headers),
                    (metadata, error) -> {
                        if (error == null) {
                            acked.complete(null);
                        } else {
                            acked.completeExceptionally(error);
                        }
                    });
        } catch (RuntimeException e) { // e.g. a record over max.request.size, or the producer closed
            acked.completeExceptionally(e);
        }
        return acked;
    }

    /**
     * Publishes one event per stored row of a batch and waits until the broker acknowledged all of them (throws
     * {@link PublishException} otherwise). Every event is {@code eventType}: field 1 the envelope, field 2 the row,
     * like FrameUpserted, LabelUpserted, InferenceUpserted and EmbeddingSupplied. The same as {@link #send} per
     * row, but cheaper where a profile of the Kafka ingest path showed the per-event cost
     * (docs/benchmarks/ingest.md): the row's field is written from the bytes already stored as its payload instead
     * of serializing the row again; the batch shares one {@code occurred_at} (so one {@code ce_time}); the constant
     * header values are encoded once; one counter instead of a future per record tracks the acknowledgements.
     */
    public <T> void publishAll(String channel, Descriptor eventType, List<T> rows, List<byte[]> payloads,
                               Function<T, String> datasetId, Function<T, String> aggregateId, String correlationId, Duration timeout) {
        if (rows.isEmpty()) {
            return;
        }
        String topic = TOPICS.get(channel);
        if (topic == null) {
            throw new IllegalArgumentException("unknown channel " + channel);
        }
        checkEnvelopeThenRow(eventType);
        Timestamp occurredAt = Envelopes.timestamp(Instant.now());
        byte[] time = utf8(DateTimeFormatter.ISO_INSTANT.format(Envelopes.instant(occurredAt)));
        byte[] type = utf8(eventType.getFullName());
        String correlation = nullToEmpty(correlationId);
        Acks acks = new Acks(rows.size());
        for (int i = 0; i < rows.size(); i++) {
            T row = rows.get(i);
            String aggregate = nullToEmpty(aggregateId.apply(row));
            EventEnvelope envelope = EventEnvelope.newBuilder()
                    .setEventId(Envelopes.newEventId())
                    .setOccurredAt(occurredAt)
                    .setProducer(PRODUCER)
                    .setDatasetId(nullToEmpty(datasetId.apply(row)))
                    .setAggregateId(aggregate)
                    .setCorrelationId(correlation)
                    .build();
            // the order and values of CloudEventHeaders.of, then the subject
            RecordHeaders headers = new RecordHeaders();
            headers.add(CloudEventHeaders.ID, utf8(envelope.getEventId()));
            headers.add(CloudEventHeaders.SPEC_VERSION, SPEC_VERSION);
            headers.add(CloudEventHeaders.TYPE, type);
            headers.add(CloudEventHeaders.SOURCE, SOURCE);
            headers.add(CloudEventHeaders.TIME, time);
            headers.add(CloudEventHeaders.CONTENT_TYPE, PROTOBUF);
            headers.add(CloudEventHeaders.SUBJECT, utf8(aggregate));
            try {
                producer.send(new ProducerRecord<>(topic, null, aggregate, encode(envelope, payloads.get(i)), headers), acks);
            } catch (RuntimeException e) { // e.g. a record over max.request.size, or the producer closed
                acks.onCompletion(null, e);
                break;
            }
            if (acks.done.isCompletedExceptionally()) {
                // e.g. the topic's metadata did not arrive within max.block.ms (the broker is away): every further send
                // would wait as long again, so the batch fails now
                break;
            }
        }
        await(List.of(acks.done), timeout);
    }

    /**
     * The wire bytes of an event message {envelope = 1; row = 2}, the row given as its serialized bytes: a
     * length-delimited field holding a message's bytes is exactly how protobuf encodes that embedded message.
     */
    public static byte[] encode(EventEnvelope envelope, byte[] row) {
        byte[] out = new byte[CodedOutputStream.computeMessageSize(1, envelope) + CodedOutputStream.computeByteArraySize(2, row)];
        CodedOutputStream cos = CodedOutputStream.newInstance(out);
        try {
            cos.writeMessage(1, envelope);
            cos.writeByteArray(2, row);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        cos.checkNoSpaceLeft();
        return out;
    }

    private static void checkEnvelopeThenRow(Descriptor eventType) {
        FieldDescriptor envelope = eventType.findFieldByNumber(1);
        FieldDescriptor row = eventType.findFieldByNumber(2);
        if (envelope == null || envelope.getJavaType() != FieldDescriptor.JavaType.MESSAGE
                || envelope.getMessageType() != EventEnvelope.getDescriptor() || envelope.isRepeated()
                || row == null || row.getJavaType() != FieldDescriptor.JavaType.MESSAGE || row.isRepeated()) {
            throw new IllegalArgumentException(eventType.getFullName() + " is not {EventEnvelope envelope = 1; <row> = 2}");
        }
    }

    private static final byte[] SPEC_VERSION = utf8("1.0");
    private static final byte[] SOURCE = utf8(PRODUCER);
    private static final byte[] PROTOBUF = utf8(CloudEventHeaders.PROTOBUF);

    /** Completes when every record of a batch was acknowledged, or with the first error. */
    private static final class Acks implements Callback {
        final CompletableFuture<Void> done = new CompletableFuture<>();
        private final AtomicInteger remaining;

        Acks(int records) {
            remaining = new AtomicInteger(records);
        }

        @Override
        public void onCompletion(RecordMetadata metadata, Exception error) {
            if (error != null) {
                done.completeExceptionally(error);
            } else if (remaining.decrementAndGet() == 0) {
                done.complete(null);
            }
        }
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }

    /** Until when (System.nanoTime) requests fail at once because the last publish failed; 0 = not failing. */
    private volatile long unavailableUntil;

    /**
     * Fails at once while the broker is known to be away: after a publish failed, every request in the next
     * {@code shoal.ingest.broker-retry-after} gets {@link BrokerUnavailable} without touching the catalog; the first
     * after that tries again (and waits at most {@code shoal.ingest.publish-timeout}).
     */
    public void requireBroker() {
        long until = unavailableUntil;
        if (until != 0 && System.nanoTime() - until < 0) {
            throw new BrokerUnavailable("the broker did not acknowledge events recently; nothing was stored; retry after "
                    + config.brokerRetryAfter().toSeconds() + " s");
        }
    }

    /** Waits until all sends were acknowledged; throws {@link PublishException} otherwise. */
    public void await(List<CompletableFuture<Void>> sends, Duration timeout) {
        if (sends.isEmpty()) {
            return;
        }
        try {
            CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            unavailableUntil = 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PublishException("interrupted while publishing events", e);
        } catch (ExecutionException e) {
            brokerFailed();
            throw new PublishException("the broker refused events: " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            brokerFailed();
            throw new PublishException("the broker did not acknowledge " + sends.size() + " events within " + timeout, e);
        }
    }

    private void brokerFailed() {
        long until = System.nanoTime() + config.brokerRetryAfter().toNanos();
        unavailableUntil = until == 0 ? 1 : until;
    }

    /** Refused at once: the broker was away a moment ago (see {@link #requireBroker}). */
    public static class BrokerUnavailable extends PublishException {
        public BrokerUnavailable(String message) {
            super(message, null);
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Events could not be published; the batch was rolled back and may be retried as it is. */
    public static class PublishException extends RuntimeException {
        public PublishException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
