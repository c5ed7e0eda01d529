package dev.shoal.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The loop across the services as separate processes ({@code ./shoal up}: a real Kafka broker and PostgreSQL, every
 * service its own JVM), driven only through the documented REST APIs: text frames, labels with planted flips and
 * a model's inferences go into ingest-service; embedding-service embeds the text with its default model; an
 * analysis posted right after the ingest waits for mining to catch up and runs on all of it; the planted flips
 * come out at the top of the label-error ranking.
 */
@EnabledIfSystemProperty(named = "shoal.e2e", matches = "true")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LoopEndToEndTest {

    static final List<String> CLASSES = List.of("sports", "finance", "music");
    static final Map<String, List<String>> WORDS = Map.of(
            "sports", List.of("the striker scored a late goal", "the team won the league match", "a marathon runner crossed the finish line",
                    "the goalkeeper saved a penalty", "the coach praised the defence after the game"),
            "finance", List.of("the central bank raised interest rates", "shares fell after the earnings report",
                    "the bond market priced in inflation", "investors sold the stock at a loss", "the company issued new debt"),
            "music", List.of("the orchestra played a symphony", "the band released a new album", "a guitarist tuned the strings",
                    "the singer hit the high note", "the pianist performed a sonata"));
    static final int FRAMES = 600;
    static final int FLIPS = 30;
    static final String TEXT_MODEL = "all-minilm-l6-v2";

    /** Where labeling-bridge's default vendor posts unless SHOAL_VENDOR_URL says otherwise. */
    static final int VENDOR_PORT = 9900;
    static final String SECRET = "e2e-" + UUID.randomUUID();

    static Platform platform;
    static Simulators outside;
    static final String DATASET = "e2e-" + UUID.randomUUID().toString().substring(0, 8);
    static final Set<String> flipped = new HashSet<>();
    static final Map<String, String> truth = new ConcurrentHashMap<>();
    static final Random random = new Random(7);

    @BeforeAll
    static void up() throws Exception {
        outside = new Simulators(VENDOR_PORT, SECRET, truth::get);
        platform = Platform.up(Map.of("SHOAL_VENDOR_SECRET", SECRET,
                "SHOAL_TRAINING_WEBHOOK_URL", Simulators.retrainUrl(VENDOR_PORT), "SHOAL_TRAINING_WEBHOOK_SECRET", SECRET));
    }

    @AfterAll
    static void down() throws Exception {
        try {
            if (platform != null) {
                platform.close();
            }
        } finally {
            if (outside != null) {
                outside.close();
            }
        }
    }

    static String text(String cls, String id) {
        List<String> phrases = WORDS.get(cls);
        return "data:text/plain;base64," + Base64.getEncoder().encodeToString(
                (phrases.get(random.nextInt(phrases.size())) + " (item " + id + ")").getBytes(StandardCharsets.UTF_8));
    }

    @Test
    @Order(1)
    void an_analysis_posted_right_after_ingest_waits_for_the_data_and_finds_the_planted_flips() throws Exception {
        assertEquals(201, platform.post(Platform.INGEST + "/v1/datasets", Map.of("id", DATASET, "modality", "MODALITY_TEXT",
                "class_names", CLASSES)).status());
        List<Map<String, Object>> frames = new ArrayList<>();
        List<Map<String, Object>> labels = new ArrayList<>();
        List<Map<String, Object>> inferences = new ArrayList<>();
        for (int i = 0; i < FRAMES; i++) {
            String id = "t" + i;
            int trueClass = i % CLASSES.size();
            String cls = CLASSES.get(trueClass);
            truth.put(id, cls);
            frames.add(Map.of("dataset_id", DATASET, "id", id, "split", i % 5 == 0 ? "SPLIT_VALIDATION" : "SPLIT_TRAIN",
                    "uris", List.of(text(cls, id))));
            int given = trueClass;
            if (i % (FRAMES / FLIPS) == 1) {   // every 20th frame, deterministic: 30 flips
                given = (trueClass + 1) % CLASSES.size();
                flipped.add(id);
            }
            labels.add(Map.of("dataset_id", DATASET, "frame_id", id, "label_set", "v1", "labeler_id", "ann-1",
                    "classification", Map.of("class_name", CLASSES.get(given))));
            // a model that is right and fairly sure on every frame
            double top = 0.7 + 0.25 * random.nextDouble();
            List<Map<String, Object>> scores = new ArrayList<>();
            for (int k = 0; k < CLASSES.size(); k++) {
                scores.add(Map.of("class_name", CLASSES.get(k), "probability", k == trueClass ? top : (1 - top) / 2));
            }
            inferences.add(Map.of("dataset_id", DATASET, "frame_id", id, "model_id", "clf", "model_version", "1",
                    "classification", Map.of("scores", scores)));
        }
        assertEquals(FLIPS, flipped.size());
        for (int from = 0; from < FRAMES; from += 200) {
            int to = Math.min(FRAMES, from + 200);
            assertStored(platform.post(Platform.INGEST + "/v1/frames", Map.of("frames", frames.subList(from, to))), to - from);
            assertStored(platform.post(Platform.INGEST + "/v1/labels", Map.of("labels", labels.subList(from, to))), to - from);
            assertStored(platform.post(Platform.INGEST + "/v1/inferences", Map.of("inferences", inferences.subList(from, to))), to - from);
        }

        // right away: mining has not seen it all yet, and the analysis waits instead of running on part of it
        Platform.Reply started = platform.post(Platform.MINING + "/v1/analyses", Map.of("dataset_id", DATASET,
                "label_set", "v1", "model_id", "clf", "model_version", "1", "kinds", List.of("label_errors")));
        assertEquals(202, started.status(), started.text());
        JsonNode data = started.body().path("data");
        assertEquals(FRAMES, data.path("expected").path("frames").asLong(), started.text());
        assertEquals(FRAMES, data.path("expected").path("labels:v1").asLong(), started.text());
        assertEquals(FRAMES, data.path("expected").path("inferences:clf:1").asLong(), started.text());
        System.out.printf("analysis requested right after the ingest: state %s, mining had seen %s of %s%n",
                started.body().path("state").asText(), data.path("seen"), data.path("expected"));
        String id = started.body().path("id").asText();
        JsonNode done = platform.await(Platform.MINING + "/v1/analyses/" + id,
                a -> Set.of("succeeded", "failed").contains(a.path("state").asText()), Duration.ofMinutes(4));
        assertEquals("succeeded", done.path("state").asText(), done.toString());
        assertFalse(done.path("data").path("partial").asBoolean(), done.toString());
        assertEquals(FRAMES, done.path("data").path("seen").path("labels:v1").asLong(), done.toString());
        assertEquals(FRAMES, done.path("summary").path("frames").asLong(), done.toString());

        // the planted flips lead the label-error ranking
        JsonNode issues = platform.get(Platform.MINING + "/v1/issues?analysis=" + id + "&type=label_error&page_size=" + FLIPS).body();
        int hits = 0;
        for (JsonNode issue : issues.path("items")) {
            hits += flipped.contains(issue.path("frame_id").asText()) ? 1 : 0;
        }
        assertTrue(hits >= FLIPS * 9 / 10, "planted flips among the top " + FLIPS + " label-error candidates: " + hits);

        // the expert says the top candidate's label is wrong: the corrected label goes back into ingest
        JsonNode top = issues.path("items").get(0);
        String frame = top.path("frame_id").asText();
        Platform.Reply triaged = platform.patch(Platform.MINING + "/v1/issues/" + top.path("id").asText(),
                Map.of("state", "label_wrong", "labeler_id", "expert-1"));
        assertEquals(200, triaged.status(), triaged.text());
        JsonNode stored = platform.await(Platform.INGEST + "/v1/datasets/" + DATASET + "/frames/" + frame,
                f -> labelIn(f, "v1+triage") != null, Duration.ofMinutes(1));
        JsonNode corrected = labelIn(stored, "v1+triage");
        assertEquals(top.path("suggested_label").asText(), corrected.path("classification").path("class_name").asText());
        assertEquals("expert-1", corrected.path("labeler_id").asText());
        assertEquals(flipped.contains(frame) ? truth.get(frame) : top.path("suggested_label").asText(),
                corrected.path("classification").path("class_name").asText(), "the model's suggestion is the true class");
    }

    private static JsonNode labelIn(JsonNode frame, String labelSet) {
        for (JsonNode l : frame.path("labels")) {
            if (labelSet.equals(l.path("label_set").asText())) {
                return l;
            }
        }
        return null;
    }

    @Test
    @Order(2)
    void every_text_frame_is_embedded_by_default_and_the_dataset_state_shows_each_service_caught_up() throws Exception {
        String vectors = "vectors:" + TEXT_MODEL + ":1";
        JsonNode state = platform.await(Platform.MINING + "/v1/datasets/" + DATASET + "/state",
                s -> s.path("caught_up").asBoolean() && s.path("embedding").path(vectors).asLong() == FRAMES,
                Duration.ofMinutes(5));
        assertEquals(FRAMES, state.path("ingest").path("frames").asLong(), state.toString());
        assertEquals(FRAMES, state.path("mining").path(vectors).asLong(), state.toString());
        assertEquals(0, state.path("dead_letters").size(), state.toString());

        // an analysis on the computed vectors runs on every frame
        Platform.Reply started = platform.post(Platform.MINING + "/v1/analyses", Map.of("dataset_id", DATASET,
                "label_set", "v1", "embedding_model_id", TEXT_MODEL, "embedding_model_version", "1",
                "kinds", List.of("label_errors", "outliers")));
        assertTrue(started.status() == 202 || started.status() == 200, started.text());
        JsonNode done = platform.await(Platform.MINING + "/v1/analyses/" + started.body().path("id").asText(),
                a -> Set.of("succeeded", "failed").contains(a.path("state").asText()), Duration.ofMinutes(4));
        assertEquals("succeeded", done.path("state").asText(), done.toString());
        assertEquals(FRAMES, done.path("summary").path("frames").asLong(), done.toString());
        assertEquals(FRAMES, done.path("data").path("expected").path(vectors).asLong(), done.toString());
    }

    private static void assertStored(Platform.Reply r, int n) {
        assertEquals(200, r.status(), r.text());
        assertEquals(n, r.body().path("stored").asInt(), r.text());
    }

    @Test
    @Order(3)
    void find_more_like_this_goes_to_the_vendor_and_comes_back_as_labels_then_a_retrained_model_is_compared() throws Exception {
        // an unlabeled pool: 20 texts of each class
        List<Map<String, Object>> pool = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            String id = "p" + i;
            String cls = CLASSES.get(i % CLASSES.size());
            truth.put(id, cls);
            pool.add(Map.of("dataset_id", DATASET, "id", id, "split", "SPLIT_UNLABELED", "uris", List.of(text(cls, id))));
        }
        assertStored(platform.post(Platform.INGEST + "/v1/frames", Map.of("frames", pool)), 60);
        String vectors = "vectors:" + TEXT_MODEL + ":1";
        platform.await(Platform.MINING + "/v1/datasets/" + DATASET + "/state",
                st -> st.path("caught_up").asBoolean() && st.path("mining").path(vectors).asLong() == FRAMES + 60,
                Duration.ofMinutes(3));

        // "more like these": five correctly labeled music frames as seeds, the 20 nearest unlabeled frames to a vendor
        List<String> seeds = new ArrayList<>();
        for (int i = 2; seeds.size() < 5; i += 3) {
            if (!flipped.contains("t" + i)) {
                seeds.add("t" + i);
            }
        }
        seeds.forEach(f -> assertEquals("music", truth.get(f)));
        Platform.Reply campaign = platform.post(Platform.MINING + "/v1/campaigns", Map.of("dataset_id", DATASET,
                "frame_ids", seeds, "embedding_model_id", TEXT_MODEL, "embedding_model_version", "1", "limit", 20,
                "target_label_set", "v2", "instructions", "Which topic is this text about?"));
        assertTrue(campaign.status() == 200 || campaign.status() == 201, campaign.text());
        String campaignId = campaign.body().path("id").asText();
        List<String> picked = new ArrayList<>();
        campaign.body().path("frames").forEach(f -> picked.add(f.path("frame_id").asText()));
        assertEquals(20, picked.size(), campaign.text());
        long music = picked.stream().filter(f -> "music".equals(truth.get(f))).count();
        System.out.printf("campaign %s: %d of the 20 frames found are music, like the seeds%n", campaignId, music);
        assertEquals(20, music, "all 20 music texts of the pool are the nearest to the music seeds: " + picked);

        Platform.Reply sent = platform.post(Platform.MINING + "/v1/campaigns/" + campaignId + "/send", "{}");
        assertEquals(200, sent.status(), sent.text());

        // the vendor got signed tasks, labeled every frame and called back; the accepted labels are in ingest
        JsonNode stats = platform.await(Platform.INGEST + "/v1/datasets/" + DATASET + "/stats",
                st -> st.path("labels_by_label_set").path("v2").asLong() >= 20, Duration.ofMinutes(3));
        assertTrue(outside.refused.isEmpty(), outside.refused.toString());
        assertEquals(20, outside.tasks.stream().mapToInt(t -> t.path("frames").size()).sum());
        assertTrue(outside.callbackStatuses.stream().allMatch(c -> c == 200), outside.callbackStatuses.toString());
        for (String f : picked) {
            JsonNode labels = platform.get(Platform.INGEST + "/v1/datasets/" + DATASET + "/frames/" + f).body();
            JsonNode v2 = labelIn(labels, "v2");
            assertEquals(truth.get(f), v2 == null ? null : v2.path("classification").path("class_name").asText(), labels.toString());
        }
        System.out.println("labels back in ingest: " + stats.path("labels_by_label_set"));

        // the training system was asked to retrain on the new labels, signed
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (outside.retrainRequests.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(500);
        }
        assertEquals(1, outside.retrainRequests.size(), outside.retrainRequests.toString());
        JsonNode retrain = outside.retrainRequests.get(0);
        assertEquals(DATASET, retrain.path("dataset_id").asText());
        assertEquals("v2", retrain.path("label_set").asText());
        String requestId = retrain.path("request_id").asText();

        // it registers the retrained model and sends its inferences; mining analyses them
        Platform.Reply model = platform.post(Platform.INGEST + "/v1/model-versions", Map.of("model_versions", List.of(
                Map.of("dataset_id", DATASET, "model_id", "clf", "version", "2", "parent_version", "1",
                        "retrain_request_id", requestId))));
        assertEquals(200, model.status(), model.text());
        List<Map<String, Object>> inferences = new ArrayList<>();
        for (int i = 0; i < FRAMES; i++) {
            String id = "t" + i;
            List<Map<String, Object>> scores = new ArrayList<>();
            for (String cls : CLASSES) {
                scores.add(Map.of("class_name", cls, "probability", cls.equals(truth.get(id)) ? 0.9 : 0.05));
            }
            inferences.add(Map.of("dataset_id", DATASET, "frame_id", id, "model_id", "clf", "model_version", "2",
                    "classification", Map.of("scores", scores)));
        }
        for (int from = 0; from < FRAMES; from += 300) {
            assertStored(platform.post(Platform.INGEST + "/v1/inferences", Map.of("inferences", inferences.subList(from, from + 300))), 300);
        }
        Platform.Reply again = platform.post(Platform.MINING + "/v1/analyses", Map.of("dataset_id", DATASET,
                "label_set", "v1", "model_id", "clf", "model_version", "2", "kinds", List.of("label_errors")));
        assertEquals(202, again.status(), again.text());
        JsonNode done = platform.await(Platform.MINING + "/v1/analyses/" + again.body().path("id").asText(),
                a -> Set.of("succeeded", "failed").contains(a.path("state").asText()), Duration.ofMinutes(4));
        assertEquals("succeeded", done.path("state").asText(), done.toString());
        assertEquals(FRAMES, done.path("data").path("seen").path("inferences:clf:2").asLong(), done.toString());
        JsonNode answered = platform.await(Platform.LABELING + "/v1/retrain-requests/" + requestId,
                r -> r.toString().contains("\"2\""), Duration.ofMinutes(1));
        System.out.println("retrain request answered: " + answered);
    }
}
