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

    static Platform platform;
    static final String DATASET = "e2e-" + UUID.randomUUID().toString().substring(0, 8);
    static final Set<String> flipped = new HashSet<>();

    @BeforeAll
    static void up() throws Exception {
        platform = Platform.up();
    }

    @AfterAll
    static void down() throws Exception {
        if (platform != null) {
            platform.close();
        }
    }

    @Test
    @Order(1)
    void an_analysis_posted_right_after_ingest_waits_for_the_data_and_finds_the_planted_flips() throws Exception {
        assertEquals(201, platform.post(Platform.INGEST + "/v1/datasets", Map.of("id", DATASET, "modality", "MODALITY_TEXT",
                "class_names", CLASSES)).status());
        Random random = new Random(7);
        List<Map<String, Object>> frames = new ArrayList<>();
        List<Map<String, Object>> labels = new ArrayList<>();
        List<Map<String, Object>> inferences = new ArrayList<>();
        for (int i = 0; i < FRAMES; i++) {
            String id = "t" + i;
            int truth = i % CLASSES.size();
            String cls = CLASSES.get(truth);
            List<String> phrases = WORDS.get(cls);
            String text = phrases.get(random.nextInt(phrases.size())) + " (item " + i + ")";
            frames.add(Map.of("dataset_id", DATASET, "id", id, "split", i % 5 == 0 ? "SPLIT_VALIDATION" : "SPLIT_TRAIN",
                    "uris", List.of("data:text/plain;base64," + Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8)))));
            int given = truth;
            if (i % (FRAMES / FLIPS) == 1) {   // every 20th frame, deterministic: 30 flips
                given = (truth + 1) % CLASSES.size();
                flipped.add(id);
            }
            labels.add(Map.of("dataset_id", DATASET, "frame_id", id, "label_set", "v1", "labeler_id", "ann-1",
                    "classification", Map.of("class_name", CLASSES.get(given))));
            // a model that is right and fairly sure on every frame
            double top = 0.7 + 0.25 * random.nextDouble();
            List<Map<String, Object>> scores = new ArrayList<>();
            for (int k = 0; k < CLASSES.size(); k++) {
                scores.add(Map.of("class_name", CLASSES.get(k), "probability", k == truth ? top : (1 - top) / 2));
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
}
