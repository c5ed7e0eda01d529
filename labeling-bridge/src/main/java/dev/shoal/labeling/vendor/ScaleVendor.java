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
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * A Scale-style callback vendor (modelled on Scale AI's task API, not a byte-exact client of it). Tasks are
 * POSTed to the configured URL with HTTP basic auth (API key as user, empty password), a {@code unique_id} of
 * task id and version (the vendor's idempotency key), {@code metadata.shoal_task_id} and a {@code callback_url}.
 * The vendor POSTs the finished task to the callback with header {@code scale-callback-auth: <callback-token>}
 * and retries until it gets a 2xx:
 * <pre>
 * {"task_id": "vendor-id", "status": "completed" | "error", "metadata": {"shoal_task_id": "..."},
 *  "response": {"annotations": [{"frame_id": "...", "annotator_id": "...", "category": "cat"},
 *                               {"frame_id": "...", "annotator_id": "...",
 *                                "boxes": [{"label": "car", "left": 1, "top": 2, "width": 3, "height": 4}],
 *                                "polygons": [{"label": "road", "vertices": [{"x": 0, "y": 0}, ...]}]}]}}
 * </pre>
 * {@code metadata} may also sit under {@code task.metadata}, as in Scale's own callbacks.
 */
@ApplicationScoped
public class ScaleVendor implements VendorAdapter {

    public static final String AUTH_HEADER = "scale-callback-auth";

    @Inject
    ObjectMapper mapper;

    @Override
    public LabelingConfig.VendorType type() {
        return LabelingConfig.VendorType.SCALE;
    }

    @Override
    public Outbound task(String vendorName, LabelingConfig.Vendor vendor, Campaign campaign, Task task,
                         List<CampaignFrame> frames, String callbackUrl) {
        ObjectNode body = mapper.createObjectNode();
        body.put("callback_url", callbackUrl);
        body.put("instruction", campaign.instructions());
        body.put("attachment_type", "image");
        body.put("unique_id", task.taskId() + ":" + task.version());
        body.put("annotation_type", campaign.annotationType());
        body.put("annotators_per_frame", campaign.annotatorsPerFrame());
        ArrayNode labels = body.putArray("labels");
        campaign.labelSchema().forEach(labels::add);
        ArrayNode attachments = body.putArray("attachments");
        for (CampaignFrame f : frames) {
            ObjectNode a = attachments.addObject();
            a.put("frame_id", f.frameId());
            a.put("attachment", f.uris().isEmpty() ? "" : f.uris().get(0));
        }
        ObjectNode meta = body.putObject("metadata");
        meta.put("shoal_task_id", task.taskId());
        meta.put("shoal_task_version", task.version());
        meta.put("shoal_campaign_id", campaign.campaignId());
        return new Outbound(vendor.url().orElse(""), Vendors.bytes(mapper, body));
    }

    @Override
    public void authorize(HttpRequest.Builder request, LabelingConfig.Vendor vendor, byte[] body, Instant now) {
        String key = vendor.token().orElseThrow(() -> new IllegalStateException("no token configured"));
        request.header("Authorization", "Basic " + Base64.getEncoder().encodeToString((key + ":").getBytes(StandardCharsets.UTF_8)));
    }

    @Override
    public String vendorTaskRef(String responseBody) {
        try {
            JsonNode n = mapper.readTree(responseBody);
            return n == null ? null : JsonFields.optText(n, "task_id");
        } catch (Exception e) {
            return null;
        }
    }

    @Override
    public InboundCallback callback(LabelingConfig.Vendor vendor, Map<String, String> headers, byte[] body, Instant now) {
        String expected = vendor.callbackToken().orElseThrow(() -> new CallbackRejected(401, "vendor has no callback-token configured"));
        if (!Hmac.constantTimeEquals(expected, headers.get(AUTH_HEADER))) {
            throw new CallbackRejected(401, "bad or missing " + AUTH_HEADER + " header");
        }
        JsonNode root = JsonFields.parse(mapper, body);
        JsonNode meta = root.has("metadata") ? root.get("metadata") : root.path("task").get("metadata");
        String taskId = JsonFields.text(meta, "shoal_task_id", "metadata.shoal_task_id");
        String vendorTask = JsonFields.optText(root, "task_id");
        String status = JsonFields.optText(root, "status");
        String mapped = status == null ? null : switch (status) {
            case "completed" -> "completed";
            case "error", "canceled", "cancelled" -> "failed";
            case "pending", "in_progress" -> "in_progress";
            default -> throw new CallbackRejected(400, "status " + status + " is not completed, error, canceled or pending");
        };
        List<VendorResult> results = new ArrayList<>();
        JsonNode response = root.get("response");
        JsonNode list = response == null || response.isNull() ? null : JsonFields.array(response, "annotations", "response.annotations", false);
        if (list != null) {
            for (int i = 0; i < list.size(); i++) {
                results.add(result(list.get(i), "response.annotations[" + i + "]"));
            }
        }
        String reason = JsonFields.optText(root, "error");
        return new InboundCallback(taskId, "scale:" + Hmac.sha256(body), results, mapped, reason, vendorTask);
    }

    private static VendorResult result(JsonNode r, String path) {
        if (r == null || !r.isObject()) {
            throw new CallbackRejected(400, path + " must be an object");
        }
        String frameId = JsonFields.text(r, "frame_id", path + ".frame_id");
        String annotator = JsonFields.text(r, "annotator_id", path + ".annotator_id");
        String category = JsonFields.optText(r, "category");
        List<Answer.BoxValue> boxes = new ArrayList<>();
        JsonNode b = JsonFields.array(r, "boxes", path + ".boxes", false);
        if (b != null) {
            for (int i = 0; i < b.size(); i++) {
                String p = path + ".boxes[" + i + "]";
                JsonNode box = b.get(i);
                boxes.add(new Answer.BoxValue(JsonFields.text(box, "label", p + ".label"),
                        JsonFields.number(box, "left", p + ".left"), JsonFields.number(box, "top", p + ".top"),
                        JsonFields.number(box, "width", p + ".width"), JsonFields.number(box, "height", p + ".height")));
            }
        }
        List<Answer.PolygonValue> polygons = new ArrayList<>();
        JsonNode pl = JsonFields.array(r, "polygons", path + ".polygons", false);
        if (pl != null) {
            for (int i = 0; i < pl.size(); i++) {
                String p = path + ".polygons[" + i + "]";
                JsonNode poly = pl.get(i);
                JsonNode vertices = JsonFields.array(poly, "vertices", p + ".vertices", true);
                if (vertices.size() < 3) {
                    throw new CallbackRejected(400, p + ".vertices needs at least 3 points");
                }
                List<double[]> pts = new ArrayList<>();
                for (int v = 0; v < vertices.size(); v++) {
                    pts.add(new double[]{JsonFields.number(vertices.get(v), "x", p + ".vertices[" + v + "].x"),
                            JsonFields.number(vertices.get(v), "y", p + ".vertices[" + v + "].y")});
                }
                polygons.add(new Answer.PolygonValue(JsonFields.text(poly, "label", p + ".label"), pts));
            }
        }
        if (category == null && boxes.isEmpty() && polygons.isEmpty()) {
            throw new CallbackRejected(400, path + " needs category, boxes or polygons");
        }
        return new VendorResult(frameId, annotator, new Answer(category, boxes, polygons), null);
    }
}
