package dev.shoal.labeling.vendor;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.shoal.labeling.config.LabelingConfig;
import dev.shoal.labeling.domain.CallbackRejected;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Finds a vendor's configuration and protocol adapter by the name a campaign gives. */
@ApplicationScoped
public class Vendors {

    @Inject
    LabelingConfig config;

    @Inject
    WebhookVendor webhook;

    @Inject
    LabelStudioVendor labelStudio;

    @Inject
    ScaleVendor scale;

    public String resolveName(String requested) {
        return requested == null || requested.isBlank() ? config.defaultVendor() : requested;
    }

    public Optional<LabelingConfig.Vendor> config(String name) {
        return Optional.ofNullable(config.vendors().get(name));
    }

    public VendorAdapter adapter(LabelingConfig.Vendor vendor) {
        return switch (vendor.type()) {
            case WEBHOOK -> webhook;
            case LABEL_STUDIO -> labelStudio;
            case SCALE -> scale;
        };
    }

    static byte[] bytes(ObjectMapper mapper, Object node) {
        try {
            return mapper.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** [[x, y], ...] scaled by (sx, sy); at least 3 points. */
    static List<double[]> points(JsonNode pts, String path, double sx, double sy) {
        if (pts.size() < 3) {
            throw new CallbackRejected(400, path + " needs at least 3 points");
        }
        List<double[]> out = new ArrayList<>();
        for (int i = 0; i < pts.size(); i++) {
            JsonNode p = pts.get(i);
            if (p == null || !p.isArray() || p.size() != 2 || !p.get(0).isNumber() || !p.get(1).isNumber()) {
                throw new CallbackRejected(400, path + "[" + i + "] must be [x, y]");
            }
            out.add(new double[]{p.get(0).asDouble() * sx, p.get(1).asDouble() * sy});
        }
        return out;
    }
}
