package dev.shoal.labeling.domain;

import java.time.Instant;

public record Task(String taskId, String campaignId, int groupNo, String vendor, TaskState state, int version,
                   String vendorTaskRef, String reason, Instant createdAt, Instant updatedAt) {
}
