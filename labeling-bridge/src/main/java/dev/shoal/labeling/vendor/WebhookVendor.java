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
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The generic webhook vendor. Tasks are POSTed as JSON signed with {@link Hmac}; the vendor POSTs results to the
 * callback URL signed the same way:
 * <pre>
 * {"task_id": "...", "status": "completed" | "in_progress" | "failed", "reason": "...",
 *  "results": [{"frame_id": "...", "annotator_id": "...", "class_name": "cat"},
 *              {"frame_id": "...", "annotator_id": "...", "boxes": [{"class_name": "car", "x": 1, "y": 2, "width": 3, "height": 4}]},
 *              {"frame_id": "...", "annotator_id": "...", "polygons": [{"class_name": "road", "points": [[0,0],[5,0],[5,5]]}]}]}
 * </pre>
 * Any other field is refused with 400 naming it ({@code results[0].clas_name: unknown field}).
 */
@ApplicationScoped
public class WebhookVendor implements VendorAdapter {

    @Inject
    ObjectMapper mapper;

    @Inject
    LabelingConfig config;

    @Override
    public LabelingConfig.VendorType type() {
        return LabelingConfig.VendorType.WEBHOOK;
    }

    @Override
    public Outbound task(String vendorName, LabelingConfig.Vendor vendor, Campaign campaign, Task task,
                         List<CampaignFrame> frames, String callbackUrl) {
        ObjectNode body = mapper.createObjectNode();
        body.put("task_id", task.taskId());
        body.put("task_version", task.version());
        body.put("campaign_id", campaign.campaignId());
        body.put("dataset_id", campaign.datasetId());
        body.put("annotation_type", campaign.annotationType());
        ArrayNode schema = body.putArray("label_schema");
        campaign.labelSchema().forEach(schema::add);
        body.put("instructions", campaign.instructions());
        body.put("annotators_per_frame", campaign.annotatorsPerFrame());
        if (campaign.deadline() != null) {
            body.put("deadline", campaign.deadline().toString());
        }
        body.put("callback_url", callbackUrl);
        ArrayNode list = body.putArray("frames");
        for (CampaignFrame f : frames) {
            ObjectNode fn = list.addObject();
            fn.put("frame_id", f.frameId());
            ArrayNode uris = fn.putArray("uris");
            f.uris().forEach(uris::add);
        }
        return new Outbound(vendor.url().orElse(""), Vendors.bytes(mapper, body));
    }

    @Override
    public void authorize(HttpRequest.Builder request, LabelingConfig.Vendor vendor, byte[] body, Instant now) {
        String secret = vendor.secret().orElseThrow(() -> new IllegalStateException("no secret configured"));
        long ts = now.getEpochSecond();
        request.header(Hmac.TIMESTAMP_HEADER, Long.toString(ts));
        request.header(Hmac.SIGNATURE_HEADER, Hmac.header(secret, ts, body));
    }

    @Override
    public InboundCallback callback(LabelingConfig.Vendor vendor, Map<String, String> headers, byte[] body, Instant now) {
        String secret = vendor.secret().orElseThrow(() -> new CallbackRejected(401, "vendor has no secret configured"));
        String signature = verifySigned(secret, headers, body, now, config.callback().replayWindow());
        JsonNode root = JsonFields.parse(mapper, body);
        JsonFields.onlyKnown(root, "", java.util.Set.of("task_id", "status", "reason", "results", "vendor_task_id"));
        String taskId = JsonFields.text(root, "task_id", "task_id");
        String status = JsonFields.optText(root, "status");
        if (status != null && !List.of("completed", "in_progress", "failed").contains(status)) {
            throw new CallbackRejected(400, "status must be completed, in_progress or failed, not " + status);
        }
        List<VendorResult> results = new ArrayList<>();
        JsonNode list = JsonFields.array(root, "results", "results", false);
        if (list != null) {
            for (int i = 0; i < list.size(); i++) {
                results.add(result(list.get(i), "results[" + i + "]"));
            }
        }
        return new InboundCallback(taskId, "sig:" + signature, results, status, JsonFields.optText(root, "reason"),
                JsonFields.optText(root, "vendor_task_id"));
    }

    /** Checks timestamp window and signature; returns the signature (the receipt key of this delivery). */
    static String verifySigned(String secret, Map<String, String> headers, byte[] body, Instant now, Duration window) {
        String tsHeader = headers.get(Hmac.TIMESTAMP_HEADER.toLowerCase());
        String sigHeader = headers.get(Hmac.SIGNATURE_HEADER.toLowerCase());
        if (tsHeader == null || sigHeader == null) {
            throw new CallbackRejected(401, "missing " + Hmac.TIMESTAMP_HEADER + " or " + Hmac.SIGNATURE_HEADER);
        }
        long ts;
        try {
            ts = Long.parseLong(tsHeader.trim());
        } catch (NumberFormatException e) {
            throw new CallbackRejected(401, Hmac.TIMESTAMP_HEADER + " is not a unix timestamp");
        }
        if (Math.abs(now.getEpochSecond() - ts) > window.toSeconds()) {
            throw new CallbackRejected(401, "timestamp outside the " + window.toSeconds() + " s replay window");
        }
        if (!Hmac.verify(secret, ts, body, sigHeader)) {
            throw new CallbackRejected(401, "bad signature");
        }
        return sigHeader.substring(Hmac.VERSION_PREFIX.length()).trim().toLowerCase();
    }

    private static VendorResult result(JsonNode r, String path) {
        if (r == null || !r.isObject()) {
            throw new CallbackRejected(400, path + " must be an object");
        }
        JsonFields.onlyKnown(r, path, java.util.Set.of("frame_id", "annotator_id", "class_name", "boxes", "polygons"));
        String frameId = JsonFields.text(r, "frame_id", path + ".frame_id");
        String annotator = JsonFields.text(r, "annotator_id", path + ".annotator_id");
        String className = JsonFields.optText(r, "class_name");
        List<Answer.BoxValue> boxes = new ArrayList<>();
        List<Answer.PolygonValue> polygons = new ArrayList<>();
        JsonNode b = JsonFields.array(r, "boxes", path + ".boxes", false);
        if (b != null) {
            for (int i = 0; i < b.size(); i++) {
                String p = path + ".boxes[" + i + "]";
                JsonNode box = b.get(i);
                JsonFields.onlyKnown(box, p, java.util.Set.of("class_name", "x", "y", "width", "height"));
                boxes.add(new Answer.BoxValue(JsonFields.text(box, "class_name", p + ".class_name"),
                        JsonFields.number(box, "x", p + ".x"), JsonFields.number(box, "y", p + ".y"),
                        JsonFields.number(box, "width", p + ".width"), JsonFields.number(box, "height", p + ".height")));
            }
        }
        JsonNode pl = JsonFields.array(r, "polygons", path + ".polygons", false);
        if (pl != null) {
            for (int i = 0; i < pl.size(); i++) {
                String p = path + ".polygons[" + i + "]";
                JsonNode poly = pl.get(i);
                JsonFields.onlyKnown(poly, p, java.util.Set.of("class_name", "points"));
                JsonNode pts = JsonFields.array(poly, "points", p + ".points", true);
                polygons.add(new Answer.PolygonValue(JsonFields.text(poly, "class_name", p + ".class_name"),
                        Vendors.points(pts, p + ".points", 1.0, 1.0)));
            }
        }
        if (className == null && boxes.isEmpty() && polygons.isEmpty()) {
            throw new CallbackRejected(400, path + " needs class_name, boxes or polygons");
        }
        return new VendorResult(frameId, annotator, new Answer(className, boxes, polygons), null);
    }
}
