package dev.shoal.labeling.vendor;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.shoal.labeling.config.LabelingConfig;
import dev.shoal.labeling.domain.Answer;
import dev.shoal.labeling.domain.CallbackRejected;
import dev.shoal.labeling.domain.InboundCallback;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LabelStudioVendorTest {

    private final LabelStudioVendor vendor = new LabelStudioVendor();
    private final LabelingConfig.Vendor config = new LabelingConfig.Vendor() {
        public LabelingConfig.VendorType type() { return LabelingConfig.VendorType.LABEL_STUDIO; }
        public Optional<String> url() { return Optional.of("http://ls"); }
        public Optional<String> secret() { return Optional.empty(); }
        public Optional<String> token() { return Optional.of("api"); }
        public Optional<String> projectId() { return Optional.of("3"); }
        public Optional<String> callbackToken() { return Optional.of("hook"); }
    };
    private final Map<String, String> auth = Map.of("authorization", "Token hook");

    LabelStudioVendorTest() {
        vendor.mapper = new ObjectMapper();
    }

    @Test
    void mapsRectangleAndPolygonPercentagesToPixels() {
        String body = """
                {"action": "ANNOTATION_CREATED",
                 "task": {"id": 99, "data": {"image": "file:///a.png", "shoal_task_id": "c.g0", "shoal_frame_id": "f1"}},
                 "annotation": {"id": 5, "completed_by": 17, "updated_at": "2026-01-01T00:00:00Z", "result": [
                   {"type": "rectanglelabels", "original_width": 640, "original_height": 480,
                    "value": {"x": 10, "y": 20, "width": 30, "height": 40, "rectanglelabels": ["car"]}},
                   {"type": "polygonlabels", "original_width": 640, "original_height": 480,
                    "value": {"points": [[0, 0], [50, 0], [50, 50]], "polygonlabels": ["road"]}}]}}
                """;
        InboundCallback cb = vendor.callback(config, auth, body.getBytes(StandardCharsets.UTF_8), Instant.now());
        assertEquals("c.g0", cb.taskId());
        assertEquals("99", cb.vendorTaskRef());
        assertEquals(1, cb.results().size());
        assertEquals("17", cb.results().get(0).annotatorId());
        Answer a = cb.results().get(0).answer();
        assertEquals(new Answer.BoxValue("car", 64, 96, 192, 192), a.boxes().get(0));
        assertEquals("road", a.polygons().get(0).className());
        assertArrayEquals(new double[]{320, 240}, a.polygons().get(0).points().get(2), 1e-9);
        assertTrue(cb.receiptKey().startsWith("ls:5:"));
    }

    @Test
    void mapsChoicesAndCompletedByObjects() {
        String body = """
                {"action": "ANNOTATION_UPDATED", "task": {"id": 1, "data": {"shoal_task_id": "t", "shoal_frame_id": "f"}},
                 "annotation": {"id": 8, "completed_by": {"id": 4, "email": "a@b.c"},
                                "result": [{"type": "choices", "value": {"choices": ["dog"]}}]}}
                """;
        InboundCallback cb = vendor.callback(config, auth, body.getBytes(StandardCharsets.UTF_8), Instant.now());
        assertEquals("dog", cb.results().get(0).answer().className());
        assertEquals("4", cb.results().get(0).annotatorId());
    }

    @Test
    void ignoresOtherActionsAndRefusesBadTokensAndMissingSizes() {
        assertNull(vendor.callback(config, auth, "{\"action\":\"PROJECT_UPDATED\"}".getBytes(StandardCharsets.UTF_8), Instant.now()));
        CallbackRejected unauth = assertThrows(CallbackRejected.class,
                () -> vendor.callback(config, Map.of("authorization", "Token nope"), "{}".getBytes(StandardCharsets.UTF_8), Instant.now()));
        assertEquals(401, unauth.status());
        String noSize = """
                {"action": "ANNOTATION_CREATED", "task": {"data": {"shoal_task_id": "t", "shoal_frame_id": "f"}},
                 "annotation": {"id": 1, "completed_by": 2, "result": [{"type": "rectanglelabels",
                   "value": {"x": 1, "y": 1, "width": 1, "height": 1, "rectanglelabels": ["car"]}}]}}
                """;
        CallbackRejected bad = assertThrows(CallbackRejected.class,
                () -> vendor.callback(config, auth, noSize.getBytes(StandardCharsets.UTF_8), Instant.now()));
        assertEquals(400, bad.status());
        assertTrue(bad.getMessage().contains("annotation.result[0].original_width"), bad.getMessage());
    }
}
