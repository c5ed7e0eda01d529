package dev.shoal.labeling.service;

/** A LabelingRequested that cannot become tasks; the message names the field. Goes to the dead-letter topic. */
public class InvalidCampaign extends IllegalArgumentException {
    public InvalidCampaign(String message) {
        super(message);
    }
}
