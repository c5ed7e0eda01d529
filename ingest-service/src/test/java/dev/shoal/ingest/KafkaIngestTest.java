package dev.shoal.ingest;

import com.google.protobuf.util.JsonFormat;
import dev.shoal.proto.CloudEventHeaders;
import dev.shoal.proto.Topics;
import dev.shoal.proto.ingest.v1.ClassLabel;
import dev.shoal.proto.ingest.v1.Frame;
import dev.shoal.proto.ingest.v1.FrameUpserted;
import dev.shoal.proto.ingest.v1.IngestRequest;
import dev.shoal.proto.ingest.v1.Label;
import dev.shoal.proto.ingest.v1.LabelUpserted;
import dev.shoal.proto.ingest.v1.UpsertFramesRequest;
import dev.shoal.proto.ingest.v1.UpsertLabelsRequest;
import dev.shoal.testkit.KafkaProbe;
import dev.shoal.testkit.ShoalInfraTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.reactive.messaging.kafka.KafkaClientService;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static dev.shoal.ingest.IngestTestSupport.*;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Training systems publish to shoal.ingest.requests.v1; the effect must be the same as the APIs'. */
@QuarkusTest
@QuarkusTestResource(value = ShoalInfraTestResource.class, initArgs = @ResourceArg(name = "database", value = "ingest"))
class KafkaIngestTest {

    @Inject
    KafkaClientService kafkaClients;

    /**
     * Requests from different partitions are processed at the same time: the channel's {@code concurrency} makes one
     * copy per consumer ({@code ingest-requests$1} ... {@code $N}), each with its own consumer and its own ordered
     * worker. The connector's {@code partitions=N} instead gives one channel with N consumers merged into one stream,
     * which the {@code @Blocking} method takes one record at a time (docs/benchmarks/ingest.md: the cores were never
     * full). This fails if the configuration goes back to that.
     */
    @Test
    void each_request_consumer_is_a_channel_copy_of_its_own() {
        int n = ConfigProvider.getConfig().getValue("mp.messaging.incoming.ingest-requests.concurrency", Integer.class);
        assertTrue(n >= 2, "ingest-requests.concurrency is " + n);
        Set<String> channels = kafkaClients.getConsumerChannels().stream()
                .filter(c -> c.startsWith("ingest-requests")).collect(Collectors.toSet());
        assertEquals(IntStream.rangeClosed(1, n).mapToObj(i -> "ingest-requests$" + i).collect(Collectors.toSet()), channels);
        for (String channel : channels) {
            assertEquals(1, kafkaClients.getConsumers(channel).size(), channel);
        }
    }

    @Test
    void a_request_published_as_proto3_json_comes_out_as_frame_events() throws Exception {
        String ds = uniqueDataset("kjson");
        createDataset(ds, "MODALITY_TEXT");
        IngestRequest request = IngestRequest.newBuilder().setRequestId("req-1").setUpsertFrames(UpsertFramesRequest.newBuilder()
                .addFrames(textFrame(ds, "t1")).addFrames(textFrame(ds, "t2"))).build();
        try (KafkaProbe probe = probe()) {
            probe.send(Topics.INGEST_REQUESTS, ds, JsonFormat.printer().print(request).getBytes(StandardCharsets.UTF_8),
                    Map.of(CloudEventHeaders.CONTENT_TYPE, CloudEventHeaders.JSON));
            List<ConsumerRecord<String, byte[]>> records = probe.await(Topics.FRAME_UPSERTED,
                    r -> parser(FrameUpserted.parser()).apply(r.value()).getFrame().getDatasetId().equals(ds), 2, Duration.ofSeconds(60));
            assertEquals(2, records.size());
            FrameUpserted event = parser(FrameUpserted.parser()).apply(records.get(0).value());
            assertEquals("req-1", event.getEnvelope().getCorrelationId());
            assertEquals(java.util.Set.of("t1", "t2"), keys(records));
        }
        assertEquals(2, dbCount(ds, "frames"));
    }

    @Test
    void a_binary_protobuf_request_has_the_same_effect_and_a_replay_publishes_nothing_new() {
        String ds = uniqueDataset("kbin");
        createDataset(ds, "MODALITY_TEXT", "pos", "neg");
        try (KafkaProbe probe = probe()) {
            IngestRequest frames = IngestRequest.newBuilder().setUpsertFrames(UpsertFramesRequest.newBuilder().addFrames(textFrame(ds, "b1"))).build();
            probe.send(Topics.INGEST_REQUESTS, ds, frames.toByteArray());
            IngestRequest labels = IngestRequest.newBuilder().setUpsertLabels(UpsertLabelsRequest.newBuilder().addLabels(Label.newBuilder()
                    .setDatasetId(ds).setFrameId("b1").setLabelerId("vendor-7").setLabelSet("v2")
                    .setClassification(ClassLabel.newBuilder().setClassName("pos")))).build();
            probe.send(Topics.INGEST_REQUESTS, ds, labels.toByteArray());
            probe.send(Topics.INGEST_REQUESTS, ds, labels.toByteArray()); // replay
            var events = probe.await(Topics.LABEL_UPSERTED, r -> parser(LabelUpserted.parser()).apply(r.value()).getLabel().getDatasetId().equals(ds),
                    1, Duration.ofSeconds(60));
            assertEquals(1, events.size());
            assertEquals("vendor-7", parser(LabelUpserted.parser()).apply(events.get(0).value()).getLabel().getLabelerId());
            await().atMost(Duration.ofSeconds(30)).until(() -> dbCount(ds, "labels") == 1);
            // the replay was consumed too (a later marker request is processed after it), and published nothing
            probe.send(Topics.INGEST_REQUESTS, ds, IngestRequest.newBuilder().setUpsertFrames(UpsertFramesRequest.newBuilder()
                    .addFrames(textFrame(ds, "marker"))).build().toByteArray());
            await().atMost(Duration.ofSeconds(30)).until(() -> dbCount(ds, "frames") == 2);
            assertEquals(1, events(probe, Topics.LABEL_UPSERTED, parser(LabelUpserted.parser()), e -> e.getLabel().getDatasetId(), ds, Duration.ofSeconds(2)).size());
        }
    }

    @Test
    void a_malformed_record_goes_to_the_dlq_with_the_reason_and_the_stream_goes_on() {
        String ds = uniqueDataset("kbad");
        createDataset(ds, "MODALITY_TEXT");
        try (KafkaProbe probe = probe()) {
            String marker = "garbage-" + ds;
            probe.send(Topics.INGEST_REQUESTS, marker, "{\"upsert_frames\": {\"frames\": [ this is not json".getBytes(StandardCharsets.UTF_8));
            probe.send(Topics.INGEST_REQUESTS, ds, IngestRequest.newBuilder().setUpsertFrames(UpsertFramesRequest.newBuilder()
                    .addFrames(textFrame(ds, "after"))).build().toByteArray());
            var dead = probe.await(Topics.dlq(Topics.INGEST_REQUESTS), r -> marker.equals(r.key()), 1, Duration.ofSeconds(60));
            assertEquals(1, dead.size());
            String reason = KafkaProbe.header(dead.get(0), CloudEventHeaders.DLQ_REASON);
            assertTrue(reason != null && reason.contains("malformed IngestRequest (proto3-JSON)"), "reason: " + reason);
            await().atMost(Duration.ofSeconds(30)).until(() -> dbCount(ds, "frames") == 1);
        }
    }

    @Test
    void a_record_with_some_bad_rows_keeps_the_good_rows_and_goes_to_the_dlq_naming_the_bad_ones() {
        String ds = uniqueDataset("kpart");
        createDataset(ds, "MODALITY_TEXT");
        try (KafkaProbe probe = probe()) {
            IngestRequest request = IngestRequest.newBuilder().setUpsertFrames(UpsertFramesRequest.newBuilder()
                    .addFrames(textFrame(ds, "good"))
                    .addFrames(textFrame(ds, "bad").toBuilder().clearUris().addUris("ftp://nope/x"))).build();
            probe.send(Topics.INGEST_REQUESTS, "partial-" + ds, request.toByteArray());
            var dead = probe.await(Topics.dlq(Topics.INGEST_REQUESTS), r -> ("partial-" + ds).equals(r.key()), 1, Duration.ofSeconds(60));
            assertEquals(1, dead.size());
            String reason = KafkaProbe.header(dead.get(0), CloudEventHeaders.DLQ_REASON);
            assertTrue(reason.contains("frames[1].uris[0]") && reason.contains("scheme 'ftp' is not supported") && reason.contains("1 stored"), reason);
            assertEquals(1, dbCount(ds, "frames"));
        }
    }

    private static Frame textFrame(String ds, String id) {
        return Frame.newBuilder().setDatasetId(ds).setId(id).addUris("data:text/plain;base64,aGVsbG8=").build();
    }
}
