package dev.shoal.mining;

import dev.shoal.proto.Topics;
import dev.shoal.proto.ingest.v1.Split;
import dev.shoal.proto.labeling.v1.LabelingRequested;
import dev.shoal.testkit.ShoalInfraTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Jobs (reuse, validation), labeler quality, and "find more like this" campaigns sent to labeling. */
@QuarkusTest
@QuarkusTestResource(value = ShoalInfraTestResource.class, initArgs = @ResourceArg(name = "database", value = "mining"))
class CampaignAndJobApiTest {

    @Inject
    DataSource ds;

    static Events events;

    @BeforeAll
    static void open() {
        events = new Events();
    }

    @AfterAll
    static void close() {
        events.close();
    }

    /** Two groups of frames around two directions; labeled ones in train, the rest in the unlabeled pool. */
    private String seedTwoGroups() {
        String dataset = "camp-" + UUID.randomUUID();
        Random rnd = new Random(7);
        for (int i = 0; i < 40; i++) {
            boolean a = i % 2 == 0;
            boolean pool = i >= 20;
            String id = (a ? "a" : "b") + i;
            events.frame(dataset, id, pool ? Split.SPLIT_UNLABELED : Split.SPLIT_TRAIN, Map.of());
            float[] v = new float[8];
            v[a ? 0 : 1] = 1f;
            for (int d = 0; d < v.length; d++) {
                v[d] += (float) (rnd.nextGaussian() * 0.05);
            }
            events.embedding(dataset, id, "clip", "1", v);
            if (!pool) {
                events.label(dataset, id, "v1", "alice", a ? "cone" : "sign");
                events.label(dataset, id, "v1", "bob", a ? "cone" : (i % 4 == 1 ? "cone" : "sign"));
                events.label(dataset, id, "v1", "carol", a ? "cone" : "sign");
            }
        }
        events.flush();
        await().atMost(Duration.ofSeconds(30)).until(() ->
                Db.count(ds, "select count(*) from embedding where dataset_id = ?", dataset) == 40
                        && Db.count(ds, "select count(*) from frame where dataset_id = ?", dataset) == 40
                        && Db.count(ds, "select count(*) from label where dataset_id = ?", dataset) == 60);
        return dataset;
    }

    @Test
    void aSecondRequestForTheSameInputsReusesTheJobAndNewDataStartsANewOne() {
        String dataset = seedTwoGroups();
        String body = "{\"dataset_id\":\"" + dataset + "\",\"label_set\":\"v1\",\"kinds\":[\"labeler_quality\"]}";
        JsonPath first = given().contentType(ContentType.JSON).body(body).post("/v1/analyses")
                .then().statusCode(202).extract().jsonPath();
        String id = first.getString("id");
        await().atMost(Duration.ofSeconds(30)).until(() ->
                "succeeded".equals(given().get("/v1/analyses/" + id).then().extract().path("state")));
        given().get("/v1/analyses/" + id).then().body("percent_done", equalTo(100));

        given().contentType(ContentType.JSON).body(body).post("/v1/analyses")
                .then().statusCode(200).body("id", equalTo(id)).body("reused", equalTo(true));

        // known dataset, but an unknown label set or model version: 400 naming it
        given().contentType(ContentType.JSON).body(body.replace("\"v1\"", "\"v9\"")).post("/v1/analyses")
                .then().statusCode(400).body("field", equalTo("label_set"));
        given().contentType(ContentType.JSON).body("{\"dataset_id\":\"" + dataset + "\",\"label_set\":\"v1\",\"model_id\":\"m\","
                + "\"model_version\":\"9\",\"kinds\":[\"labeler_quality\"]}").post("/v1/analyses")
                .then().statusCode(400).body("field", equalTo("model_version"));

        // bob, who calls half the signs cones, comes out worse than alice
        JsonPath q = given().get("/v1/analyses/" + id + "/labeler-quality").then().statusCode(200).extract().jsonPath();
        assertEquals("bob", q.getString("[0].labeler_id"));
        assertEquals(3, q.getList("labeler_id").size());
        assertTrue(q.getDouble("[0].accuracy") < 0.9 && q.getDouble("[1].accuracy") > 0.95, q.prettify());
        // no model and no embeddings named: the answers alone
        assertEquals("dawid_skene", q.getString("[0].method"));
        given().get("/v1/analyses/" + id).then().body("summary.labeler_quality.method", equalTo("dawid_skene"));

        // new data moves the watermark: the same request now starts a new job
        events.label(dataset, "a0", "v1", "dave", "cone");
        events.flush();
        await().atMost(Duration.ofSeconds(30)).until(() ->
                Db.count(ds, "select count(*) from label where dataset_id = ? and labeler_id = 'dave'", dataset) == 1);
        given().contentType(ContentType.JSON).body(body).post("/v1/analyses")
                .then().statusCode(202).body("reused", equalTo(false));
    }

    @Test
    void labelerQualityUsesCrowdlabWithOutOfSampleProbabilitiesWhenEmbeddingsAreNamed() {
        String dataset = seedTwoGroups();
        JsonPath job = given().contentType(ContentType.JSON).body("{\"dataset_id\":\"" + dataset + "\",\"label_set\":\"v1\","
                + "\"embedding_model_version\":\"1\",\"kinds\":[\"labeler_quality\"]}").post("/v1/analyses")
                .then().statusCode(202).extract().jsonPath();
        String id = job.getString("id");
        await().atMost(Duration.ofSeconds(30)).until(() ->
                "succeeded".equals(given().get("/v1/analyses/" + id).then().extract().path("state")));
        given().get("/v1/analyses/" + id).then().body("summary.labeler_quality.method", equalTo("crowdlab"))
                .body("summary.labeler_quality.probabilities", equalTo("out_of_sample_knn"));
        JsonPath q = given().get("/v1/analyses/" + id + "/labeler-quality").then().statusCode(200).extract().jsonPath();
        assertEquals("bob", q.getString("[0].labeler_id"), q.prettify());
        assertEquals("crowdlab", q.getString("[0].method"));
        // bob gave 5 of his 20 answers wrong: his agreement with the consensus is 0.75, alice's and carol's 1.0
        assertEquals(0.75, q.getDouble("[0].accuracy"), 1e-9, q.prettify());
        assertEquals(1.0, q.getDouble("[1].accuracy"), 1e-9, q.prettify());
        assertTrue(q.getDouble("[1].quality") - q.getDouble("[0].quality") > 0.1, q.prettify());
    }

    @Test
    void badAnalysisRequestsAre400NamingTheField() {
        given().contentType(ContentType.JSON).body("{\"label_set\":\"v1\",\"kinds\":[\"clusters\"]}").post("/v1/analyses")
                .then().statusCode(400).body("field", equalTo("dataset_id"));
        given().contentType(ContentType.JSON).body("{\"dataset_id\":\"x\",\"label_set\":\"v1\",\"kinds\":[\"bogus\"]}")
                .post("/v1/analyses").then().statusCode(400).body("field", equalTo("kinds[0]")).body("message", containsString("bogus"));
        given().contentType(ContentType.JSON).body("{\"dataset_id\":\"x\",\"label_set\":\"v1\",\"kinds\":[\"outliers\"]}")
                .post("/v1/analyses").then().statusCode(400).body("field", equalTo("embedding_model_version"));
        given().contentType(ContentType.JSON).body("{\"dataset_id\":\"nope-" + UUID.randomUUID()
                + "\",\"label_set\":\"v1\",\"kinds\":[\"labeler_quality\"]}").post("/v1/analyses")
                .then().statusCode(400).body("field", equalTo("dataset_id"));
        given().get("/v1/analyses/" + UUID.randomUUID()).then().statusCode(404);
        given().get("/v1/issues?analysis=x&state=closed").then().statusCode(400).body("field", equalTo("state"));
        given().get("/v1/issues").then().statusCode(400).body("field", equalTo("analysis"));
    }

    @Test
    void aHandPickedCampaignFindsSimilarPoolFramesAndIsSentToLabelingOncePerVersion() {
        String dataset = seedTwoGroups();
        JsonPath c = given().contentType(ContentType.JSON).body("{\"dataset_id\":\"" + dataset + "\",\"frame_ids\":[\"a0\",\"a2\"],"
                        + "\"embedding_model_version\":\"1\",\"limit\":5,\"instructions\":\"is it a cone?\",\"target_label_set\":\"v2\"}")
                .post("/v1/campaigns").then().statusCode(201).extract().jsonPath();
        String campaignId = c.getString("id");
        List<String> picked = c.getList("frames.frame_id");
        assertEquals(5, picked.size());
        assertTrue(picked.stream().allMatch(f -> f.startsWith("a") && Integer.parseInt(f.substring(1)) >= 20),
                "only unlabeled-pool frames of the same group: " + picked);
        assertEquals(List.of("cone", "sign"), c.getList("label_schema"));

        given().get("/v1/campaigns/" + campaignId).then().statusCode(200).body("frames.size()", equalTo(5));
        given().post("/v1/campaigns/" + campaignId + "/send").then().statusCode(200).body("published", equalTo(true));
        given().post("/v1/campaigns/" + campaignId + "/send").then().statusCode(200).body("published", equalTo(false));

        var records = events.probe.readAll(Topics.LABELING_REQUESTED, r -> campaignId.equals(r.key()), Duration.ofSeconds(3));
        assertEquals(1, records.size(), "published once for version 1");
        LabelingRequested sent;
        try {
            sent = LabelingRequested.parseFrom(records.get(0).value());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        assertEquals(campaignId, sent.getCampaignId());
        assertEquals(dataset, sent.getDatasetId());
        assertEquals(picked, sent.getFramesList().stream().map(f -> f.getFrameId()).toList());
        assertEquals("file:///data/" + picked.get(0) + ".png", sent.getFrames(0).getUris(0));
        assertEquals("v2", sent.getTargetLabelSet());
        assertEquals("hand-picked", sent.getSource());
        assertEquals(LabelingRequested.getDescriptor().getFullName(), dev.shoal.testkit.KafkaProbe.header(records.get(0), "ce_type"));

        given().contentType(ContentType.JSON).body("{\"dataset_id\":\"" + dataset + "\",\"frame_ids\":[\"a0\"],\"limit\":0,"
                + "\"embedding_model_version\":\"1\"}").post("/v1/campaigns").then().statusCode(400).body("field", equalTo("limit"));
        given().contentType(ContentType.JSON).body("{\"dataset_id\":\"" + dataset + "\"}").post("/v1/campaigns")
                .then().statusCode(400).body("field", equalTo("issue_id"));
    }
}
