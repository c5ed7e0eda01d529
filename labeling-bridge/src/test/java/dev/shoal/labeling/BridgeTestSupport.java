package dev.shoal.labeling;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.shoal.labeling.vendor.Hmac;
import dev.shoal.proto.CloudEventHeaders;
import dev.shoal.proto.Envelopes;
import dev.shoal.proto.Topics;
import dev.shoal.proto.ingest.v1.IngestRequest;
import dev.shoal.proto.ingest.v1.Label;
import dev.shoal.proto.labeling.v1.AnnotationType;
import dev.shoal.proto.labeling.v1.CampaignFrame;
import dev.shoal.proto.labeling.v1.LabelingRequested;
import dev.shoal.testkit.KafkaProbe;
import dev.shoal.testkit.SharedInfra;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;

/** Builders and probes shared by the bridge's integration tests. */
final class BridgeTestSupport {

    private BridgeTestSupport() {
    }

    static KafkaProbe probe() {
        return new KafkaProbe(SharedInfra.kafka().bootstrapServers());
    }

    static LabelingRequested.Builder campaign(String campaignId, String datasetId, String vendor, AnnotationType type,
                                              int perFrame, List<String> schema, String... frameIds) {
        LabelingRequested.Builder b = LabelingRequested.newBuilder()
                .setEnvelope(Envelopes.create("mining-service", datasetId, campaignId, campaignId))
                .setCampaignId(campaignId).setDatasetId(datasetId).setVendor(vendor).setAnnotationType(type)
                .setAnnotatorsPerFrame(perFrame).addAllLabelSchema(schema).setInstructions("label the main object")
                .setSource("test").setTargetLabelSet("v2-" + campaignId);
        for (String f : frameIds) {
            b.addFrames(CampaignFrame.newBuilder().setFrameId(f).addUris("file:///data/" + f + ".png").setReason("label_error"));
        }
        return b;
    }

    static void publish(KafkaProbe probe, LabelingRequested request) {
        probe.send(Topics.LABELING_REQUESTED, request.getCampaignId(), request.toByteArray(), Map.of(
                CloudEventHeaders.ID, request.getEnvelope().getEventId(),
                CloudEventHeaders.TYPE, LabelingRequested.getDescriptor().getFullName(),
                CloudEventHeaders.SOURCE, "mining-service"));
    }

    static String newEventId() {
        return UUID.randomUUID().toString();
    }

    /** POSTs a callback signed with the webhook vendor's secret at the given unix time. */
    static Response signedCallback(String url, String body, long timestamp, String secret) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return given().contentType("application/json")
                .header(Hmac.TIMESTAMP_HEADER, Long.toString(timestamp))
                .header(Hmac.SIGNATURE_HEADER, Hmac.header(secret, timestamp, bytes))
                .body(bytes).post(url);
    }

    static Response signedCallback(String url, String body) {
        return signedCallback(url, body, System.currentTimeMillis() / 1000, FakeVendor.WEBHOOK_SECRET);
    }

    static String callbackPath(String vendor) {
        return "/v1/callbacks/" + vendor;
    }

    static JsonPath task(String taskId) {
        return given().get("/v1/tasks/" + taskId).then().statusCode(200).extract().jsonPath();
    }

    static JsonPath campaignView(String campaignId) {
        return given().get("/v1/campaigns/" + campaignId).then().statusCode(200).extract().jsonPath();
    }

    /** Every label in ingest requests for one dataset and label set (the whole topic, read from the beginning). */
    static List<Label> ingestLabels(KafkaProbe probe, String datasetId, String labelSet, Duration quiet) {
        List<Label> labels = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> r : probe.readAll(Topics.INGEST_REQUESTS, r -> datasetId.equals(r.key()), quiet)) {
            try {
                IngestRequest req = IngestRequest.parseFrom(r.value());
                req.getUpsertLabels().getLabelsList().stream().filter(l -> l.getLabelSet().equals(labelSet)).forEach(labels::add);
            } catch (InvalidProtocolBufferException e) {
                throw new IllegalStateException(e);
            }
        }
        return labels;
    }

    static String baseUrl() {
        return "http://127.0.0.1:" + RestAssured.port;
    }
}
