package dev.shoal.labeling.domain;

import com.fasterxml.jackson.annotation.JsonIgnore;

import java.util.List;
import java.util.Objects;

/**
 * What one annotator drew on one frame, in Shoal's terms (pixels, class names): a class, boxes or polygons.
 * Stored as JSON in the bridge's database; {@code LabelMapper} turns it into an ingest {@code Label}.
 */
public record Answer(String className, List<BoxValue> boxes, List<PolygonValue> polygons) {

    public Answer {
        boxes = boxes == null ? List.of() : List.copyOf(boxes);
        polygons = polygons == null ? List.of() : List.copyOf(polygons);
    }

    public static Answer ofClass(String className) {
        return new Answer(className, List.of(), List.of());
    }

    @JsonIgnore
    public boolean isClassification() {
        return className != null && !className.isEmpty();
    }

    /** The class names drawn, sorted: a crude signature two box/polygon answers can be compared by. */
    @JsonIgnore
    public List<String> classSignature() {
        if (isClassification()) {
            return List.of(className);
        }
        return java.util.stream.Stream.concat(boxes.stream().map(BoxValue::className), polygons.stream().map(PolygonValue::className))
                .filter(Objects::nonNull).sorted().toList();
    }

    public record BoxValue(String className, double x, double y, double width, double height) {
    }

    public record PolygonValue(String className, List<double[]> points) {
    }
}
