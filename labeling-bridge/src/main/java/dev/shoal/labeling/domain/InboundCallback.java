package dev.shoal.labeling.domain;

import java.util.List;

/**
 * A vendor callback after authentication and parsing.
 *
 * @param taskId      the Shoal task id the callback is about
 * @param receiptKey  identifies this exact delivery (a replay carries the same key and is counted once)
 * @param results     the annotations it carries (may be empty for a pure status update)
 * @param status      "completed", "failed", "in_progress" or null when the vendor did not say
 * @param reason      the vendor's reason for a failure, if any
 * @param vendorTaskRef the vendor's own id of the task, when given
 */
public record InboundCallback(String taskId, String receiptKey, List<VendorResult> results, String status,
                              String reason, String vendorTaskRef) {
}
