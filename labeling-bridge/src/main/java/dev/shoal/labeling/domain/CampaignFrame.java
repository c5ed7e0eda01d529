package dev.shoal.labeling.domain;

import java.util.List;

/** One frame of a campaign and the task it was grouped into; goldClass is null unless it is a gold frame. */
public record CampaignFrame(String frameId, String taskId, List<String> uris, String goldClass) {
}
