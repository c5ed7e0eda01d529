package dev.shoal.mining;

import dev.shoal.proto.CloudEventHeaders;
import dev.shoal.proto.Envelopes;
import dev.shoal.proto.Topics;
import dev.shoal.proto.common.v1.EventEnvelope;
import dev.shoal.proto.embedding.v1.EmbeddingComputed;
import dev.shoal.proto.ingest.v1.Box;
import dev.shoal.proto.ingest.v1.BoxSet;
import dev.shoal.proto.ingest.v1.ClassLabel;
import dev.shoal.proto.ingest.v1.ScoredBox;
import dev.shoal.proto.ingest.v1.ScoredBoxes;
import dev.shoal.proto.ingest.v1.ClassProbabilities;
import dev.shoal.proto.ingest.v1.ClassProbability;
import dev.shoal.proto.ingest.v1.EmbeddingSupplied;
import dev.shoal.proto.ingest.v1.Frame;
import dev.shoal.proto.ingest.v1.FrameUpserted;
import dev.shoal.proto.ingest.v1.Inference;
import dev.shoal.proto.ingest.v1.InferenceUpserted;
import dev.shoal.proto.ingest.v1.Label;
import dev.shoal.proto.ingest.v1.LabelUpserted;
import dev.shoal.proto.ingest.v1.Split;
import dev.shoal.proto.ingest.v1.UserEmbedding;
import dev.shoal.testkit.KafkaProbe;
import dev.shoal.testkit.SharedInfra;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/** Publishes ingest-service events (binary protobuf with CloudEvents headers) to the real topics, as ingest does. */
final class Events implements AutoCloseable {

    final KafkaProbe probe = new KafkaProbe(SharedInfra.kafka().bootstrapServers());
    /** Sends without waiting for each acknowledgement (one producer keeps per-partition order); see {@link #flush}. */
    private final KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedInfra.kafka().bootstrapServers(),
            ProducerConfig.ACKS_CONFIG, "all",
            ProducerConfig.LINGER_MS_CONFIG, 5), new StringSerializer(), new ByteArraySerializer());

    static EventEnvelope envelope(String dataset, String aggregate) {
        return Envelopes.create("ingest-service", dataset, aggregate, null);
    }

    void send(String topic, String key, com.google.protobuf.Message event, EventEnvelope env) {
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(topic, key, event.toByteArray());
        Map.of(CloudEventHeaders.ID, env.getEventId(),
                CloudEventHeaders.TYPE, event.getDescriptorForType().getFullName(),
                CloudEventHeaders.SOURCE, env.getProducer(),
                CloudEventHeaders.CONTENT_TYPE, CloudEventHeaders.PROTOBUF)
                .forEach((k, v) -> record.headers().add(k, v.getBytes(StandardCharsets.UTF_8)));
        producer.send(record);
    }

    /** Waits until every event sent so far is on the broker. */
    void flush() {
        producer.flush();
    }

    FrameUpserted frame(String dataset, String frameId, Split split, Map<String, String> metadata) {
        EventEnvelope env = envelope(dataset, frameId);
        FrameUpserted e = FrameUpserted.newBuilder().setEnvelope(env).setFrame(Frame.newBuilder().setId(frameId)
                .setDatasetId(dataset).addUris("file:///data/" + frameId + ".png").setSplit(split).putAllMetadata(metadata)).build();
        send(Topics.FRAME_UPSERTED, frameId, e, env);
        return e;
    }

    LabelUpserted label(String dataset, String frameId, String labelSet, String labeler, String cls) {
        EventEnvelope env = envelope(dataset, frameId);
        LabelUpserted e = LabelUpserted.newBuilder().setEnvelope(env).setLabel(Label.newBuilder().setDatasetId(dataset)
                .setFrameId(frameId).setLabelSet(labelSet).setLabelerId(labeler)
                .setClassification(ClassLabel.newBuilder().setClassName(cls))).build();
        send(Topics.LABEL_UPSERTED, frameId, e, env);
        return e;
    }

    InferenceUpserted inference(String dataset, String frameId, String model, String version, List<String> classes, float[] probs) {
        EventEnvelope env = envelope(dataset, frameId);
        ClassProbabilities.Builder cp = ClassProbabilities.newBuilder();
        for (int k = 0; k < classes.size(); k++) {
            cp.addScores(ClassProbability.newBuilder().setClassName(classes.get(k)).setProbability(probs[k]));
        }
        InferenceUpserted e = InferenceUpserted.newBuilder().setEnvelope(env).setInference(Inference.newBuilder()
                .setDatasetId(dataset).setFrameId(frameId).setModelId(model).setModelVersion(version).setClassification(cp)).build();
        send(Topics.INFERENCE_UPSERTED, frameId, e, env);
        return e;
    }

    EmbeddingSupplied embedding(String dataset, String frameId, String model, String version, float[] vector) {
        EventEnvelope env = envelope(dataset, frameId);
        UserEmbedding.Builder u = UserEmbedding.newBuilder().setDatasetId(dataset).setFrameId(frameId).setModelId(model)
                .setModelVersion(version);
        for (float v : vector) {
            u.addVector(v);
        }
        EmbeddingSupplied e = EmbeddingSupplied.newBuilder().setEnvelope(env).setEmbedding(u).build();
        send(Topics.EMBEDDING_SUPPLIED, frameId, e, env);
        return e;
    }

    /** An EmbeddingComputed notice as embedding-service publishes it (no vector; producer embedding-service). */
    EmbeddingComputed computed(String dataset, String frameId, String model, String version, int dimension) {
        EventEnvelope env = Envelopes.create("embedding-service", dataset, frameId, null);
        EmbeddingComputed e = EmbeddingComputed.newBuilder().setEnvelope(env).setFrameId(frameId).setModelId(model)
                .setModelVersion(version).setDimension(dimension).build();
        send(Topics.EMBEDDING_COMPUTED, frameId, e, env);
        return e;
    }

    /** Boxes as {class, x, y, w, h[, score]} rows. */
    LabelUpserted boxLabel(String dataset, String frameId, String labelSet, String labeler, Object[][] boxes) {
        EventEnvelope env = envelope(dataset, frameId);
        BoxSet.Builder set = BoxSet.newBuilder();
        for (Object[] b : boxes) {
            set.addBoxes(box(b));
        }
        LabelUpserted e = LabelUpserted.newBuilder().setEnvelope(env).setLabel(Label.newBuilder().setDatasetId(dataset)
                .setFrameId(frameId).setLabelSet(labelSet).setLabelerId(labeler).setBoxes(set)).build();
        send(Topics.LABEL_UPSERTED, frameId, e, env);
        return e;
    }

    InferenceUpserted boxInference(String dataset, String frameId, String model, String version, Object[][] boxes) {
        EventEnvelope env = envelope(dataset, frameId);
        ScoredBoxes.Builder set = ScoredBoxes.newBuilder();
        for (Object[] b : boxes) {
            set.addBoxes(ScoredBox.newBuilder().setBox(box(b)).setScore(((Number) b[5]).floatValue()));
        }
        InferenceUpserted e = InferenceUpserted.newBuilder().setEnvelope(env).setInference(Inference.newBuilder()
                .setDatasetId(dataset).setFrameId(frameId).setModelId(model).setModelVersion(version).setBoxes(set)).build();
        send(Topics.INFERENCE_UPSERTED, frameId, e, env);
        return e;
    }

    private static Box box(Object[] b) {
        return Box.newBuilder().setClassName((String) b[0]).setX(((Number) b[1]).floatValue()).setY(((Number) b[2]).floatValue())
                .setWidth(((Number) b[3]).floatValue()).setHeight(((Number) b[4]).floatValue()).build();
    }

    /** Replays an already-sent event unchanged (same event id), as at-least-once delivery may. */
    void replay(String topic, String key, com.google.protobuf.Message event, EventEnvelope env) {
        send(topic, key, event, env);
    }

    @Override
    public void close() {
        producer.close();
        probe.close();
    }
}
