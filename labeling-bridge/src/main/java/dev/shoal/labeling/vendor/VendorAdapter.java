package dev.shoal.labeling.vendor;

import dev.shoal.labeling.config.LabelingConfig;
import dev.shoal.labeling.domain.Campaign;
import dev.shoal.labeling.domain.CampaignFrame;
import dev.shoal.labeling.domain.InboundCallback;
import dev.shoal.labeling.domain.Task;

import java.net.http.HttpRequest;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One annotation vendor's protocol: how a task is sent, how the request is authenticated, and how its
 * callbacks are authenticated and turned into Shoal annotations.
 */
public interface VendorAdapter {

    LabelingConfig.VendorType type();

    /** The outbound request for one task version: URL and body are fixed when the task is created. */
    Outbound task(String vendorName, LabelingConfig.Vendor config, Campaign campaign, Task task,
                  List<CampaignFrame> frames, String callbackUrl);

    /** Adds the vendor's authentication to a request about to be sent (secrets are read from config here, never stored). */
    void authorize(HttpRequest.Builder request, LabelingConfig.Vendor config, byte[] body, Instant now);

    /**
     * Authenticates and parses a callback. Throws {@link dev.shoal.labeling.domain.CallbackRejected} with 401 or 400;
     * returns null for a well-formed callback that carries nothing to store (e.g. a Label Studio event we ignore).
     *
     * @param headers request headers, names lower-cased
     */
    InboundCallback callback(LabelingConfig.Vendor config, Map<String, String> headers, byte[] body, Instant now);

    /** The vendor's own task id from its 2xx response body, if it gives one. */
    default String vendorTaskRef(String responseBody) {
        return null;
    }

    record Outbound(String url, byte[] body) {
    }
}
