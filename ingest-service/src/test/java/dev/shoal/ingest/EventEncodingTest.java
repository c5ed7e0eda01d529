package dev.shoal.ingest;

import dev.shoal.ingest.messaging.EventPublisher;
import dev.shoal.ingest.store.ProtoBytes;
import dev.shoal.proto.Envelopes;
import dev.shoal.proto.common.v1.EventEnvelope;
import dev.shoal.proto.ingest.v1.ClassProbabilities;
import dev.shoal.proto.ingest.v1.ClassProbability;
import dev.shoal.proto.ingest.v1.Frame;
import dev.shoal.proto.ingest.v1.FrameUpserted;
import dev.shoal.proto.ingest.v1.Inference;
import dev.shoal.proto.ingest.v1.InferenceUpserted;
import dev.shoal.proto.ingest.v1.Split;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Events written from a row's stored payload bytes are the same messages as events built from the row. */
class EventEncodingTest {

    private final EventEnvelope envelope = Envelopes.create("ingest-service", "ds", "f1", "req-1");

    @Test
    void an_event_encoded_from_the_stored_payload_parses_to_the_event_built_from_the_row() throws Exception {
        Frame frame = Frame.newBuilder().setDatasetId("ds").setId("f1").addUris("file:///a.png").setSplit(Split.SPLIT_TEST)
                .setWidth(64).setHeight(48).putMetadata("b", "2").putMetadata("a", "1").putMetadata("camera", "front").build();
        byte[] bytes = EventPublisher.encode(envelope, ProtoBytes.of(frame));
        FrameUpserted built = FrameUpserted.newBuilder().setEnvelope(envelope).setFrame(frame).build();
        assertEquals(built, FrameUpserted.parseFrom(bytes));
        // map entries are written in key order (deterministic), the built event's own bytes may order them otherwise
        assertArrayEquals(ProtoBytes.of(built), ProtoBytes.of(FrameUpserted.parseFrom(bytes)));
    }

    @Test
    void inference_events_and_an_empty_row_round_trip_too() throws Exception {
        Inference x = Inference.newBuilder().setDatasetId("ds").setFrameId("f1").setModelId("m").setModelVersion("1")
                .setClassification(ClassProbabilities.newBuilder()
                        .addScores(ClassProbability.newBuilder().setClassName("cat").setProbability(0.25f))
                        .addScores(ClassProbability.newBuilder().setClassName("dog").setProbability(0.75f))).build();
        assertEquals(InferenceUpserted.newBuilder().setEnvelope(envelope).setInference(x).build(),
                InferenceUpserted.parseFrom(EventPublisher.encode(envelope, ProtoBytes.of(x))));
        // an all-default row still has its field present, as setInference(default) does
        InferenceUpserted empty = InferenceUpserted.parseFrom(EventPublisher.encode(envelope, new byte[0]));
        assertEquals(true, empty.hasInference());
        assertEquals(InferenceUpserted.newBuilder().setEnvelope(envelope).setInference(Inference.getDefaultInstance()).build(), empty);
    }
}
