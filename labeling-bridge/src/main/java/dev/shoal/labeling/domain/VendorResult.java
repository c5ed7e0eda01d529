package dev.shoal.labeling.domain;

/** One annotation a vendor returned: which frame, which of the vendor's annotators, what they drew. */
public record VendorResult(String frameId, String annotatorId, Answer answer, String vendorRef) {
}
