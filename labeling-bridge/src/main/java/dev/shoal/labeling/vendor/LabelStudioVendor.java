package dev.shoal.labeling.vendor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.shoal.labeling.config.LabelingConfig;
import dev.shoal.labeling.domain.Answer;
import dev.shoal.labeling.domain.CallbackRejected;
import dev.shoal.labeling.domain.Campaign;
import dev.shoal.labeling.domain.CampaignFrame;
import dev.shoal.labeling.domain.InboundCallback;
import dev.shoal.labeling.domain.Task;
import dev.shoal.labeling.domain.VendorResult;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.net.http.HttpRequest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Label Studio. Tasks are created through the import API, {@code POST <url>/api/projects/<id>/import} with
 * {@code Authorization: Token <token>}, one Label Studio task per frame whose {@code data} carries the image URI
 * and the Shoal ids. Results arrive as Label Studio webhooks (ANNOTATION_CREATED / ANNOTATION_UPDATED; others are
 * acknowledged and ignored), which must carry {@code Authorization: Token <callback-token>} (Label Studio lets a
 * webhook send custom headers). Result JSON is mapped to Shoal labels: {@code choices} → class,
 * {@code rectanglelabels} (x, y, width, height in percent of original_width/original_height) → pixel boxes,
 * {@code polygonlabels} (points in percent) → pixel polygons. The vendor's labeler id is {@code completed_by}.
 */
@ApplicationScoped
public class LabelStudioVendor implements VendorAdapter {

    static final List<String> HANDLED = List.of("ANNOTATION_CREATED", "ANNOTATION_UPDATED");

    @Inject
    ObjectMapper mapper;

    @Override
    public LabelingConfig.VendorType type() {
        return LabelingConfig.VendorType.LABEL_STUDIO;
    }

    @Override
    public Outbound task(String vendorName, LabelingConfig.Vendor vendor, Campaign campaign, Task task,
                         List<CampaignFrame> frames, String callbackUrl) {
        ArrayNode tasks = mapper.createArrayNode();
        for (CampaignFrame f : frames) {
            ObjectNode data = tasks.addObject().putObject("data");
            data.put("image", f.uris().isEmpty() ? "" : f.uris().get(0));
            data.put("shoal_task_id", task.taskId());
            data.put("shoal_task_version", task.version());
            data.put("shoal_frame_id", f.frameId());
            data.put("shoal_campaign_id", campaign.campaignId());
        }
        String base = vendor.url().orElse("").replaceAll("/+$", "");
        String url = base + "/api/projects/" + vendor.projectId().orElse("") + "/import";
        return new Outbound(url, Vendors.bytes(mapper, tasks));
    }

    @Override
    public void authorize(HttpRequest.Builder request, LabelingConfig.Vendor vendor, byte[] body, Instant now) {
        request.header("Authorization", "Token " + vendor.token().orElseThrow(() -> new IllegalStateException("no token configured")));
    }

    @Override
    public InboundCallback callback(LabelingConfig.Vendor vendor, Map<String, String> headers, byte[] body, Instant now) {
        String expected = vendor.callbackToken().orElseThrow(() -> new CallbackRejected(401, "vendor has no callback-token configured"));
        if (!Hmac.constantTimeEquals("Token " + expected, headers.get("authorization"))) {
            throw new CallbackRejected(401, "bad or missing Authorization token");
        }
        JsonNode root = JsonFields.parse(mapper, body);
        String action = JsonFields.text(root, "action", "action");
        if (!HANDLED.contains(action)) {
            return null;
        }
        JsonNode task = JsonFields.object(root, "task", "task");
        JsonNode data = JsonFields.object(task, "data", "task.data");
        String taskId = JsonFields.text(data, "shoal_task_id", "task.data.shoal_task_id");
        String frameId = JsonFields.text(data, "shoal_frame_id", "task.data.shoal_frame_id");
        JsonNode annotation = JsonFields.object(root, "annotation", "annotation");
        String annotationId = JsonFields.text(annotation, "id", "annotation.id");
        String annotator = annotator(annotation.get("completed_by"));
        String updatedAt = JsonFields.optText(annotation, "updated_at");
        String receipt = "ls:" + annotationId + ":" + (updatedAt == null ? Hmac.sha256(body) : updatedAt);
        if (annotation.path("was_cancelled").asBoolean(false)) {
            return new InboundCallback(taskId, receipt, List.of(), null, null, JsonFields.optText(task, "id"));
        }
        JsonNode results = JsonFields.array(annotation, "result", "annotation.result", true);
        String className = null;
        List<Answer.BoxValue> boxes = new ArrayList<>();
        List<Answer.PolygonValue> polygons = new ArrayList<>();
        for (int i = 0; i < results.size(); i++) {
            String path = "annotation.result[" + i + "]";
            JsonNode r = results.get(i);
            String type = JsonFields.text(r, "type", path + ".type");
            JsonNode value = JsonFields.object(r, "value", path + ".value");
            switch (type) {
                case "choices" -> className = first(value, "choices", path + ".value.choices");
                case "rectanglelabels" -> {
                    double w = JsonFields.number(r, "original_width", path + ".original_width");
                    double h = JsonFields.number(r, "original_height", path + ".original_height");
                    boxes.add(new Answer.BoxValue(first(value, "rectanglelabels", path + ".value.rectanglelabels"),
                            JsonFields.number(value, "x", path + ".value.x") * w / 100.0,
                            JsonFields.number(value, "y", path + ".value.y") * h / 100.0,
                            JsonFields.number(value, "width", path + ".value.width") * w / 100.0,
                            JsonFields.number(value, "height", path + ".value.height") * h / 100.0));
                }
                case "polygonlabels" -> {
                    double w = JsonFields.number(r, "original_width", path + ".original_width");
                    double h = JsonFields.number(r, "original_height", path + ".original_height");
                    JsonNode pts = JsonFields.array(value, "points", path + ".value.points", true);
                    polygons.add(new Answer.PolygonValue(first(value, "polygonlabels", path + ".value.polygonlabels"),
                            Vendors.points(pts, path + ".value.points", w / 100.0, h / 100.0)));
                }
                default -> {
                    // other control tags (text areas, ratings...) carry nothing Shoal stores
                }
            }
        }
        if (className == null && boxes.isEmpty() && polygons.isEmpty()) {
            throw new CallbackRejected(400, "annotation.result has no choices, rectanglelabels or polygonlabels");
        }
        VendorResult result = new VendorResult(frameId, annotator, new Answer(className, boxes, polygons), "ls-annotation:" + annotationId);
        return new InboundCallback(taskId, receipt, List.of(result), null, null, JsonFields.optText(task, "id"));
    }

    private static String annotator(JsonNode completedBy) {
        if (completedBy == null || completedBy.isNull()) {
            throw new CallbackRejected(400, "annotation.completed_by is required");
        }
        if (completedBy.isObject()) {
            String email = JsonFields.optText(completedBy, "email");
            String id = JsonFields.optText(completedBy, "id");
            if (id == null && email == null) {
                throw new CallbackRejected(400, "annotation.completed_by needs id or email");
            }
            return id != null ? id : email;
        }
        if (completedBy.asText().isBlank()) {
            throw new CallbackRejected(400, "annotation.completed_by is empty");
        }
        return completedBy.asText();
    }

    private static String first(JsonNode value, String field, String path) {
        JsonNode arr = JsonFields.array(value, field, path, true);
        if (arr.isEmpty() || !arr.get(0).isTextual() || arr.get(0).asText().isBlank()) {
            throw new CallbackRejected(400, path + " needs at least one label");
        }
        return arr.get(0).asText();
    }
}
