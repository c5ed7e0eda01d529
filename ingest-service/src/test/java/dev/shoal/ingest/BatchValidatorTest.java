package dev.shoal.ingest;

import dev.shoal.ingest.domain.BatchValidator;
import dev.shoal.ingest.domain.CatalogView;
import dev.shoal.proto.ingest.v1.Box;
import dev.shoal.proto.ingest.v1.BoxSet;
import dev.shoal.proto.ingest.v1.ClassProbabilities;
import dev.shoal.proto.ingest.v1.ClassProbability;
import dev.shoal.proto.ingest.v1.Dataset;
import dev.shoal.proto.ingest.v1.Frame;
import dev.shoal.proto.ingest.v1.Inference;
import dev.shoal.proto.ingest.v1.Label;
import dev.shoal.proto.ingest.v1.Modality;
import dev.shoal.proto.ingest.v1.Point;
import dev.shoal.proto.ingest.v1.Polygon;
import dev.shoal.proto.ingest.v1.PolygonSet;
import org.junit.jupiter.api.Test;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The validation rules alone, over a small in-memory catalog view. */
class BatchValidatorTest {

    private final CatalogView catalog = new CatalogView() {
        @Override
        public Optional<Dataset> dataset(String id) {
            return id.equals("d") ? Optional.of(Dataset.newBuilder().setId("d").setModality(Modality.MODALITY_IMAGE)
                    .addClassNames("cat").addClassNames("dog").build()) : Optional.empty();
        }

        @Override
        public Map<String, FrameSize> frames(String datasetId, Collection<String> ids) {
            Map<String, FrameSize> out = new HashMap<>();
            for (String id : ids) {
                if (id.startsWith("f")) {
                    out.put(id, new FrameSize(100, 50));
                }
            }
            return out;
        }

        @Override
        public OptionalInt embeddingDimension(String d, String m, String v) {
            return OptionalInt.empty();
        }
    };

    private final BatchValidator validator = new BatchValidator(catalog, 0.001, 0.5);

    @Test
    void frames_inherit_the_dataset_modality_and_a_conflicting_modality_is_refused() {
        var checked = validator.frames(List.of(
                Frame.newBuilder().setDatasetId("d").setId("a").addUris("file:///a.png").build(),
                Frame.newBuilder().setDatasetId("d").setId("b").addUris("file:///b.txt").setModality(Modality.MODALITY_TEXT).build()));
        assertEquals(1, checked.valid().size());
        assertEquals(Modality.MODALITY_IMAGE, checked.valid().get(0).getModality());
        assertEquals("frames[1].modality", checked.errors().list().get(0).getField());
    }

    @Test
    void uris_need_a_supported_scheme_and_a_host() {
        var checked = validator.frames(List.of(
                Frame.newBuilder().setDatasetId("d").setId("a").addUris("data:text/plain,hi").addUris("s3://bucket/key.png").build(),
                Frame.newBuilder().setDatasetId("d").setId("b").addUris("relative/path.png").build(),
                Frame.newBuilder().setDatasetId("d").setId("c").addUris("http:///nohost").build(),
                Frame.newBuilder().setDatasetId("d").setId("e").build()));
        assertEquals(1, checked.valid().size());
        var messages = checked.errors().list().stream().map(e -> e.getField() + " " + e.getMessage()).toList();
        assertTrue(messages.get(0).startsWith("frames[1].uris[0] 'relative/path.png' has no scheme"), messages.toString());
        assertTrue(messages.get(1).contains("has no host"), messages.toString());
        assertTrue(messages.get(2).startsWith("frames[3].uris at least one data URI is required"), messages.toString());
    }

    @Test
    void probabilities_within_the_tolerance_pass_and_negative_ones_fail() {
        var checked = validator.inferences(List.of(
                inference("f1", 0.5004f, 0.5f),
                inference("f2", 1.2f, -0.2f)));
        assertEquals(1, checked.valid().size());
        assertEquals("inferences[1].classification.scores[0].probability", checked.errors().list().get(0).getField());
        assertEquals("inferences[1].classification.scores[1].probability", checked.errors().list().get(1).getField());
    }

    @Test
    void a_box_touching_the_border_within_the_tolerance_passes_and_polygons_need_three_points_inside() {
        Label touching = Label.newBuilder().setDatasetId("d").setFrameId("f1").setLabelerId("a").setLabelSet("v1")
                .setBoxes(BoxSet.newBuilder().addBoxes(Box.newBuilder().setClassName("cat").setX(0).setY(0).setWidth(100.4f).setHeight(50))).build();
        Label twoPoints = Label.newBuilder().setDatasetId("d").setFrameId("f2").setLabelerId("a").setLabelSet("v1")
                .setPolygons(PolygonSet.newBuilder().addPolygons(Polygon.newBuilder().setClassName("cat")
                        .addPoints(Point.newBuilder().setX(1).setY(1)).addPoints(Point.newBuilder().setX(2).setY(2)))).build();
        Label outside = Label.newBuilder().setDatasetId("d").setFrameId("f3").setLabelerId("a").setLabelSet("v1")
                .setPolygons(PolygonSet.newBuilder().addPolygons(Polygon.newBuilder().setClassName("dog")
                        .addPoints(Point.newBuilder().setX(1).setY(1)).addPoints(Point.newBuilder().setX(2).setY(2))
                        .addPoints(Point.newBuilder().setX(200).setY(2)))).build();
        var checked = validator.labels(List.of(touching, twoPoints, outside));
        assertEquals(List.of(touching), checked.valid());
        assertEquals("labels[1].polygons.polygons[0].points", checked.errors().list().get(0).getField());
        assertEquals("labels[2].polygons.polygons[0].points[2]", checked.errors().list().get(1).getField());
    }

    @Test
    void the_first_vector_of_a_new_model_version_fixes_its_dimension_within_the_batch() {
        var checked = validator.embeddings(List.of(
                dev.shoal.proto.ingest.v1.UserEmbedding.newBuilder().setDatasetId("d").setFrameId("f1").setModelId("m").setModelVersion("1")
                        .addVector(1).addVector(2).build(),
                dev.shoal.proto.ingest.v1.UserEmbedding.newBuilder().setDatasetId("d").setFrameId("f2").setModelId("m").setModelVersion("1")
                        .addVector(1).build()));
        assertEquals(1, checked.valid().size());
        assertTrue(checked.errors().list().get(0).getMessage().contains("has dimension 1 but model_id m model_version 1 has dimension 2"));
    }

    private static Inference inference(String frame, float cat, float dog) {
        return Inference.newBuilder().setDatasetId("d").setFrameId(frame).setModelId("m").setModelVersion("1")
                .setClassification(ClassProbabilities.newBuilder()
                        .addScores(ClassProbability.newBuilder().setClassName("cat").setProbability(cat))
                        .addScores(ClassProbability.newBuilder().setClassName("dog").setProbability(dog))).build();
    }

    @Test
    void frames_this_process_committed_are_not_read_again_unless_a_row_needs_their_size() {
        List<Collection<String>> reads = new java.util.ArrayList<>();
        CatalogView view = new CatalogView() {
            @Override
            public Optional<Dataset> dataset(String id) {
                return catalog.dataset(id);
            }

            @Override
            public Map<String, FrameSize> frames(String datasetId, Collection<String> ids) {
                reads.add(List.copyOf(ids));
                return catalog.frames(datasetId, ids); // ids starting with "f" exist, 100 x 50
            }

            @Override
            public boolean knownFrame(String datasetId, String frameId) {
                return datasetId.equals("d") && frameId.equals("f-known");
            }

            @Override
            public OptionalInt embeddingDimension(String d, String m, String v) {
                return OptionalInt.empty();
            }
        };
        BatchValidator v = new BatchValidator(view, 0.001, 0.5);
        Label.Builder cls = Label.newBuilder().setDatasetId("d").setLabelerId("ann").setLabelSet("v1")
                .setClassification(dev.shoal.proto.ingest.v1.ClassLabel.newBuilder().setClassName("cat"));

        var known = v.labels(List.of(cls.clone().setFrameId("f-known").build()));
        assertEquals(1, known.valid().size());
        assertTrue(reads.isEmpty(), "a classification label of a known frame needs no read: " + reads);

        var mixed = v.labels(List.of(cls.clone().setFrameId("f-known").build(), cls.clone().setFrameId("f-other").build(),
                cls.clone().setFrameId("x-missing").build()));
        assertEquals(2, mixed.valid().size());
        assertEquals("labels[2].frame_id", mixed.errors().list().get(0).getField());
        assertEquals(List.of(List.of("f-other", "x-missing")), reads.stream().map(r -> r.stream().sorted().toList()).toList());

        reads.clear();
        var box = v.labels(List.of(Label.newBuilder().setDatasetId("d").setFrameId("f-known").setLabelerId("ann").setLabelSet("v1")
                .setBoxes(BoxSet.newBuilder().addBoxes(Box.newBuilder().setClassName("cat").setX(90).setY(0).setWidth(20).setHeight(10)))
                .build()));
        assertEquals(List.of(List.of("f-known")), reads, "a box is checked against the stored size, so the frame is read");
        assertEquals("labels[0].boxes.boxes[0]", box.errors().list().get(0).getField());
    }
}
