package dev.shoal.mining.messaging;

import dev.shoal.mining.domain.ReadModel.BoxShape;
import dev.shoal.mining.domain.ReadModel.EmbeddingRow;
import dev.shoal.mining.domain.ReadModel.FrameRow;
import dev.shoal.mining.domain.ReadModel.InferenceRow;
import dev.shoal.mining.domain.ReadModel.LabelRow;
import dev.shoal.mining.store.Json;
import dev.shoal.proto.common.v1.EventEnvelope;
import dev.shoal.proto.embedding.v1.EmbeddingComputed;
import dev.shoal.proto.ingest.v1.Box;
import dev.shoal.proto.ingest.v1.ClassProbability;
import dev.shoal.proto.ingest.v1.EmbeddingSupplied;
import dev.shoal.proto.ingest.v1.Frame;
import dev.shoal.proto.ingest.v1.FrameUpserted;
import dev.shoal.proto.ingest.v1.Inference;
import dev.shoal.proto.ingest.v1.InferenceUpserted;
import dev.shoal.proto.ingest.v1.Label;
import dev.shoal.proto.ingest.v1.LabelUpserted;
import dev.shoal.proto.ingest.v1.ScoredBox;
import dev.shoal.proto.ingest.v1.Split;
import dev.shoal.proto.ingest.v1.UserEmbedding;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Proto events to read-model rows, refusing events that lack what the read model keys on (named field). */
public final class ReadModelMapper {
    private ReadModelMapper() {
    }

    /** Refused event: the message names the field. Goes to the dead-letter topic with this reason. */
    public static final class InvalidEvent extends IllegalArgumentException {
        public InvalidEvent(String message) {
            super(message);
        }
    }

    public static String eventId(EventEnvelope envelope) {
        require(!envelope.getEventId().isBlank(), "envelope.event_id is empty");
        return envelope.getEventId();
    }

    public static FrameRow frame(FrameUpserted e) {
        Frame f = e.getFrame();
        require(!f.getDatasetId().isBlank(), "frame.dataset_id is empty");
        require(!f.getId().isBlank(), "frame.id is empty");
        return new FrameRow(f.getDatasetId(), f.getId(), split(f.getSplit()), List.copyOf(f.getUrisList()),
                Map.copyOf(f.getMetadataMap()));
    }

    public static String split(Split s) {
        return switch (s) {
            case SPLIT_TRAIN -> "train";
            case SPLIT_VALIDATION -> "validation";
            case SPLIT_TEST -> "test";
            case SPLIT_UNLABELED -> "unlabeled";
            default -> "unspecified";
        };
    }

    public static LabelRow label(LabelUpserted e) {
        Label l = e.getLabel();
        require(!l.getDatasetId().isBlank(), "label.dataset_id is empty");
        require(!l.getFrameId().isBlank(), "label.frame_id is empty");
        require(!l.getLabelSet().isBlank(), "label.label_set is empty");
        String labeler = l.getLabelerId().isBlank() ? "unknown" : l.getLabelerId();
        return switch (l.getAnnotationCase()) {
            case CLASSIFICATION -> {
                require(!l.getClassification().getClassName().isBlank(), "label.classification.class_name is empty");
                yield new LabelRow(l.getDatasetId(), l.getFrameId(), l.getLabelSet(), labeler, "classification",
                        l.getClassification().getClassName(), null);
            }
            case BOXES -> {
                List<BoxShape> boxes = new ArrayList<>();
                for (Box b : l.getBoxes().getBoxesList()) {
                    boxes.add(new BoxShape(b.getClassName(), b.getX(), b.getY(), b.getWidth(), b.getHeight(), null));
                }
                yield new LabelRow(l.getDatasetId(), l.getFrameId(), l.getLabelSet(), labeler, "boxes", null, Json.write(boxes));
            }
            case POLYGONS -> {
                // polygons are kept as their bounding boxes: what the detection checks compare
                List<BoxShape> boxes = new ArrayList<>();
                for (var p : l.getPolygons().getPolygonsList()) {
                    require(p.getPointsCount() >= 3, "label.polygons.polygons[].points has fewer than 3 points");
                    double minX = Double.MAX_VALUE, minY = Double.MAX_VALUE, maxX = -Double.MAX_VALUE, maxY = -Double.MAX_VALUE;
                    for (var pt : p.getPointsList()) {
                        minX = Math.min(minX, pt.getX());
                        minY = Math.min(minY, pt.getY());
                        maxX = Math.max(maxX, pt.getX());
                        maxY = Math.max(maxY, pt.getY());
                    }
                    boxes.add(new BoxShape(p.getClassName(), minX, minY, maxX - minX, maxY - minY, null));
                }
                yield new LabelRow(l.getDatasetId(), l.getFrameId(), l.getLabelSet(), labeler, "polygons", null, Json.write(boxes));
            }
            case ANNOTATION_NOT_SET -> throw new InvalidEvent("label.annotation is not set");
        };
    }

    public static InferenceRow inference(InferenceUpserted e) {
        Inference i = e.getInference();
        require(!i.getDatasetId().isBlank(), "inference.dataset_id is empty");
        require(!i.getFrameId().isBlank(), "inference.frame_id is empty");
        require(!i.getModelId().isBlank(), "inference.model_id is empty");
        require(!i.getModelVersion().isBlank(), "inference.model_version is empty");
        return switch (i.getOutputCase()) {
            case CLASSIFICATION -> {
                Map<String, Float> byClass = new LinkedHashMap<>();
                for (ClassProbability p : i.getClassification().getScoresList()) {
                    require(!p.getClassName().isBlank(), "inference.classification.scores[].class_name is empty");
                    require(p.getProbability() >= 0f && p.getProbability() <= 1f,
                            "inference.classification.scores[" + p.getClassName() + "].probability is outside [0, 1]");
                    byClass.put(p.getClassName(), p.getProbability());
                }
                require(!byClass.isEmpty(), "inference.classification.scores is empty");
                List<String> names = new ArrayList<>(byClass.keySet());
                float[] probs = new float[names.size()];
                for (int k = 0; k < probs.length; k++) {
                    probs[k] = byClass.get(names.get(k));
                }
                yield new InferenceRow(i.getDatasetId(), i.getFrameId(), i.getModelId(), i.getModelVersion(),
                        "classification", names, probs, null);
            }
            case BOXES -> {
                List<BoxShape> boxes = new ArrayList<>();
                for (ScoredBox sb : i.getBoxes().getBoxesList()) {
                    Box b = sb.getBox();
                    boxes.add(new BoxShape(b.getClassName(), b.getX(), b.getY(), b.getWidth(), b.getHeight(), (double) sb.getScore()));
                }
                yield new InferenceRow(i.getDatasetId(), i.getFrameId(), i.getModelId(), i.getModelVersion(),
                        "boxes", null, null, Json.write(boxes));
            }
            case OUTPUT_NOT_SET -> throw new InvalidEvent("inference.output is not set");
        };
    }

    public static EmbeddingRow supplied(EmbeddingSupplied e) {
        UserEmbedding u = e.getEmbedding();
        require(!u.getDatasetId().isBlank(), "embedding.dataset_id is empty");
        require(!u.getFrameId().isBlank(), "embedding.frame_id is empty");
        require(!u.getModelId().isBlank(), "embedding.model_id is empty");
        require(!u.getModelVersion().isBlank(), "embedding.model_version is empty");
        require(u.getVectorCount() > 0, "embedding.vector is empty");
        float[] v = new float[u.getVectorCount()];
        for (int k = 0; k < v.length; k++) {
            v[k] = u.getVector(k);
            require(Float.isFinite(v[k]), "embedding.vector[" + k + "] is not finite");
        }
        return new EmbeddingRow(u.getDatasetId(), u.getFrameId(), u.getModelId(), u.getModelVersion(), "user", v.length, v);
    }

    public static EmbeddingRow computed(EmbeddingComputed e) {
        String datasetId = e.getEnvelope().getDatasetId();
        require(!datasetId.isBlank(), "envelope.dataset_id is empty");
        require(!e.getFrameId().isBlank(), "frame_id is empty");
        require(!e.getModelId().isBlank(), "model_id is empty");
        require(!e.getModelVersion().isBlank(), "model_version is empty");
        require(e.getDimension() > 0, "dimension must be > 0");
        return new EmbeddingRow(datasetId, e.getFrameId(), e.getModelId(), e.getModelVersion(), "computed", e.getDimension(), null);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new InvalidEvent(message);
        }
    }
}
