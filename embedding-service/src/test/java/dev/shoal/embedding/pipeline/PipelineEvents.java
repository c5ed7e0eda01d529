package dev.shoal.embedding.pipeline;

import com.google.protobuf.InvalidProtocolBufferException;
import com.sun.net.httpserver.HttpServer;
import dev.shoal.proto.Envelopes;
import dev.shoal.proto.Topics;
import dev.shoal.proto.embedding.v1.EmbeddingComputed;
import dev.shoal.proto.embedding.v1.EmbeddingFailed;
import dev.shoal.proto.ingest.v1.ClassLabel;
import dev.shoal.proto.ingest.v1.ClassProbabilities;
import dev.shoal.proto.ingest.v1.ClassProbability;
import dev.shoal.proto.ingest.v1.Frame;
import dev.shoal.proto.ingest.v1.FrameUpserted;
import dev.shoal.proto.ingest.v1.Inference;
import dev.shoal.proto.ingest.v1.InferenceUpserted;
import dev.shoal.proto.ingest.v1.Label;
import dev.shoal.proto.ingest.v1.LabelUpserted;
import dev.shoal.proto.ingest.v1.Modality;
import dev.shoal.proto.ingest.v1.Split;
import dev.shoal.testkit.KafkaProbe;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Shared helpers for the pipeline tests: build and send frame events, read the events that come out, serve a text
 * over loopback HTTP.
 */
final class PipelineEvents {
    private PipelineEvents() {
    }

    /** The path {@link #serveText} serves its text at. */
    static final String NOTE_PATH = "/note.txt";

    /** Starts an HTTP server on a free loopback port that answers {@link #NOTE_PATH} with {@code text}; stop it after. */
    static HttpServer serveText(String text) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext(NOTE_PATH, ex -> {
            byte[] body = text.getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.start();
        return server;
    }

    /** The URI of {@link #NOTE_PATH} on a server from {@link #serveText}. */
    static String noteUri(HttpServer server) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + NOTE_PATH;
    }

    static byte[] frameEvent(String datasetId, String frameId, String uri, Modality modality) {
        return FrameUpserted.newBuilder()
                .setEnvelope(Envelopes.create("test", datasetId, frameId, "test-run"))
                .setFrame(Frame.newBuilder().setId(frameId).setDatasetId(datasetId).addUris(uri).setModality(modality)
                        .setSplit(Split.SPLIT_TRAIN))
                .build().toByteArray();
    }

    static byte[] labelEvent(String datasetId, String frameId, String className, String labelerId) {
        return LabelUpserted.newBuilder()
                .setEnvelope(Envelopes.create("test", datasetId, frameId, "test-run"))
                .setLabel(Label.newBuilder().setDatasetId(datasetId).setFrameId(frameId).setLabelerId(labelerId)
                        .setLabelSet("v1").setClassification(ClassLabel.newBuilder().setClassName(className)))
                .build().toByteArray();
    }

    static byte[] inferenceEvent(String datasetId, String frameId, Map<String, Float> probabilities) {
        ClassProbabilities.Builder scores = ClassProbabilities.newBuilder();
        probabilities.forEach((c, p) -> scores.addScores(ClassProbability.newBuilder().setClassName(c).setProbability(p)));
        return InferenceUpserted.newBuilder()
                .setEnvelope(Envelopes.create("test", datasetId, frameId, "test-run"))
                .setInference(Inference.newBuilder().setDatasetId(datasetId).setFrameId(frameId).setModelId("classifier")
                        .setModelVersion("3").setClassification(scores))
                .build().toByteArray();
    }

    static void send(KafkaProbe probe, String topic, String key, byte[] value) {
        probe.send(topic, key, value, Map.of("ce_type", "test"));
    }

    static List<EmbeddingComputed> computed(KafkaProbe probe, String frameId, int count, Duration timeout) {
        return probe.await(Topics.EMBEDDING_COMPUTED, r -> frameId.equals(r.key()), count, timeout).stream()
                .map(PipelineEvents::parseComputed).toList();
    }

    static EmbeddingFailed failed(KafkaProbe probe, String frameId, Duration timeout) {
        List<ConsumerRecord<String, byte[]>> r = probe.await(Topics.EMBEDDING_FAILED, x -> frameId.equals(x.key()), 1, timeout);
        if (r.isEmpty()) {
            throw new AssertionError("no EmbeddingFailed for " + frameId + " within " + timeout);
        }
        try {
            return EmbeddingFailed.parseFrom(r.get(0).value());
        } catch (InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
    }

    static EmbeddingComputed parseComputed(ConsumerRecord<String, byte[]> r) {
        try {
            return EmbeddingComputed.parseFrom(r.value());
        } catch (InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
    }
}
