package dev.shoal.embedding.messaging;

import dev.shoal.embedding.config.EmbeddingConfig;
import dev.shoal.embedding.store.VectorStore;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.interceptor.Interceptor;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Starts the service's {@link ConsumerLoop}s ({@code FrameUpserted}, {@code EmbeddingSupplied}) once the pipeline has
 * started, and stops them at shutdown before the pipeline and the vector store close. Their Kafka consumers take
 * Quarkus' default Kafka configuration (every {@code kafka.*} property, as SmallRye's channels do), then the loop's own
 * settings, then {@code shoal.embedding.consumer.properties.*}.
 */
@ApplicationScoped
public class ConsumerLoops {

    @Inject
    EmbeddingConfig config;

    /** Quarkus' {@code kafka.*} configuration (bootstrap servers, security, TLS), as SmallRye's channels get it. */
    @Inject
    @Identifier("default-kafka-broker")
    Map<String, Object> kafkaDefaults;

    @Inject
    EmbeddingEventProducer events;

    @Inject
    FrameUpsertedConsumer frames;

    @Inject
    EmbeddingSuppliedConsumer supplied;

    /** Resolved lazily: the store's producer lives in {@code dev.shoal.embedding.store} (chosen by configuration). */
    @Inject
    Instance<VectorStore> stores;

    private final List<ConsumerLoop> loops = new CopyOnWriteArrayList<>();

    /** After {@code EmbeddingPipeline}'s start (default priority), so its stages exist before the first record. */
    void start(@Observes @Priority(Interceptor.Priority.LIBRARY_AFTER) StartupEvent ev) {
        loops.add(open(FrameUpsertedConsumer.NAME, "FrameUpserted", FrameUpsertedConsumer.TOPIC, frames));
        loops.add(open(EmbeddingSuppliedConsumer.NAME, "EmbeddingSupplied", EmbeddingSuppliedConsumer.TOPIC, supplied));
    }

    /** Before the pipeline's stop and the store's disposal: the records in flight finish and are committed. */
    void stop(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) ShutdownEvent ev) {
        loops.forEach(ConsumerLoop::stop); // all at once: each waits up to close-timeout for its records in flight
        loops.forEach(ConsumerLoop::close);
        loops.clear();
    }

    public List<ConsumerLoop> loops() {
        return Collections.unmodifiableList(loops);
    }

    private ConsumerLoop open(String name, String what, String topic, ConsumerLoop.Handler handler) {
        EmbeddingConfig.Consumer c = config.consumer();
        ConsumerLoop.Settings settings = new ConsumerLoop.Settings(name, what, topic, config.maxInFlight(),
                c.pollTimeout(), c.housekeeping(), c.closeTimeout());
        return new ConsumerLoop(settings, new KafkaConsumer<>(properties(name)), handler, events::deadLetter,
                () -> stores.get().whenDurable());
    }

    private Map<String, Object> properties(String name) {
        Map<String, Object> p = new HashMap<>(kafkaDefaults);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, config.consumer().groupId());
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "embedding-service-" + name);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.putAll(config.consumer().properties());
        return p;
    }
}
