package dev.shoal.ingest;

import com.google.protobuf.Message;
import dev.shoal.ingest.domain.BatchValidator;
import dev.shoal.proto.ingest.v1.Box;
import dev.shoal.proto.ingest.v1.BoxSet;
import dev.shoal.proto.ingest.v1.ClassLabel;
import dev.shoal.proto.ingest.v1.ClassProbabilities;
import dev.shoal.proto.ingest.v1.ClassProbability;
import dev.shoal.proto.ingest.v1.Frame;
import dev.shoal.proto.ingest.v1.Inference;
import dev.shoal.proto.ingest.v1.IngestRequest;
import dev.shoal.proto.ingest.v1.Label;
import dev.shoal.proto.ingest.v1.Point;
import dev.shoal.proto.ingest.v1.Polygon;
import dev.shoal.proto.ingest.v1.PolygonSet;
import dev.shoal.proto.ingest.v1.ScoredBox;
import dev.shoal.proto.ingest.v1.ScoredBoxes;
import dev.shoal.proto.ingest.v1.Split;
import dev.shoal.proto.ingest.v1.UpsertEmbeddingsRequest;
import dev.shoal.proto.ingest.v1.UpsertFramesRequest;
import dev.shoal.proto.ingest.v1.UpsertInferencesRequest;
import dev.shoal.proto.ingest.v1.UpsertLabelsRequest;
import dev.shoal.proto.ingest.v1.UserEmbedding;
import dev.shoal.testkit.Fuzz;

import java.util.ArrayList;
import java.util.List;

/**
 * The rows the gRPC and Kafka fuzz tests start from: valid frames, labels (class, boxes, polygons), inferences and
 * embeddings of one image dataset with classes {@code cat} and {@code dog} and a 64x48 frame {@link #BASE}, and
 * batches of them where every row but one valid row was mutated by {@link Fuzz}.
 */
final class FuzzRows {

    /** The frame every label, inference and embedding refers to. */
    static final String BASE = "base";

    private FuzzRows() {
    }

    /** A kind of row, with the table it is stored in and the column that holds the id the test gives each row. */
    enum Kind {
        FRAMES("frames", "id", "UpsertFrames"),
        LABELS("labels", "labeler_id", "UpsertLabels"),
        INFERENCES("inferences", "model_id", "UpsertInferences"),
        EMBEDDINGS("user_embeddings", "model_version", "UpsertEmbeddings");

        final String table;
        final String keyColumn;
        final String grpcMethod;

        Kind(String table, String keyColumn, String grpcMethod) {
            this.table = table;
            this.keyColumn = keyColumn;
            this.grpcMethod = grpcMethod;
        }
    }

    /** A batch of rows of one kind; its one valid row is {@code rows[validAt]}, {@code validKey} in {@code kind.keyColumn}. */
    record Batch(Kind kind, List<? extends Message> rows, int validAt, String validKey) {

        Message validRow() {
            return rows.get(validAt);
        }

        /** The batch as the gRPC call's request. */
        @SuppressWarnings("unchecked")
        Message grpcRequest() {
            return switch (kind) {
                case FRAMES -> UpsertFramesRequest.newBuilder().addAllFrames((List<Frame>) rows).build();
                case LABELS -> UpsertLabelsRequest.newBuilder().addAllLabels((List<Label>) rows).build();
                case INFERENCES -> UpsertInferencesRequest.newBuilder().addAllInferences((List<Inference>) rows).build();
                case EMBEDDINGS -> UpsertEmbeddingsRequest.newBuilder().addAllEmbeddings((List<UserEmbedding>) rows).build();
            };
        }

        /** The batch as a Kafka {@link IngestRequest}. */
        IngestRequest ingestRequest(String requestId) {
            IngestRequest.Builder b = IngestRequest.newBuilder().setRequestId(requestId);
            Message request = grpcRequest();
            return switch (kind) {
                case FRAMES -> b.setUpsertFrames((UpsertFramesRequest) request).build();
                case LABELS -> b.setUpsertLabels((UpsertLabelsRequest) request).build();
                case INFERENCES -> b.setUpsertInferences((UpsertInferencesRequest) request).build();
                case EMBEDDINGS -> b.setUpsertEmbeddings((UpsertEmbeddingsRequest) request).build();
            };
        }

        /** Whether the service's own rules refuse some row of the batch (with the catalog as it is now). */
        @SuppressWarnings("unchecked")
        boolean hasRefusedRows(BatchValidator validator) {
            return switch (kind) {
                case FRAMES -> !validator.frames((List<Frame>) rows).errors().isEmpty();
                case LABELS -> !validator.labels((List<Label>) rows).errors().isEmpty();
                case INFERENCES -> !validator.inferences((List<Inference>) rows).errors().isEmpty();
                case EMBEDDINGS -> !validator.embeddings((List<UserEmbedding>) rows).errors().isEmpty();
            };
        }
    }

    /** {@code size} rows of a random kind, ids {@code prefix-k}; all but one (id {@code valid-prefix-k}) mutated once. */
    static Batch batch(Fuzz fuzz, String dataset, String prefix, int size) {
        Kind kind = switch (fuzz.nextInt(10)) {
            case 0, 1, 2, 3 -> Kind.FRAMES;
            case 4, 5, 6 -> Kind.LABELS;
            case 7, 8 -> Kind.INFERENCES;
            default -> Kind.EMBEDDINGS;
        };
        int validAt = fuzz.nextInt(size);
        List<Message> rows = new ArrayList<>(size);
        String validKey = null;
        for (int k = 0; k < size; k++) {
            String id = (k == validAt ? "valid-" : "m-") + prefix + "-" + k;
            Message.Builder row = valid(kind, fuzz, dataset, id).toBuilder();
            if (k == validAt) {
                validKey = id;
            } else {
                fuzz.mutate(row);
            }
            rows.add(row.build());
        }
        return new Batch(kind, rows, validAt, validKey);
    }

    static Message valid(Kind kind, Fuzz fuzz, String dataset, String id) {
        return switch (kind) {
            case FRAMES -> frame(dataset, id);
            case LABELS -> label(fuzz, dataset, id);
            case INFERENCES -> inference(fuzz, dataset, id);
            case EMBEDDINGS -> UserEmbedding.newBuilder().setDatasetId(dataset).setFrameId(BASE).setModelId("fz").setModelVersion(id)
                    .addVector(0.1f).addVector(-0.2f).addVector(0.3f).addVector(0.4f).build();
        };
    }

    static Frame frame(String dataset, String id) {
        return Frame.newBuilder().setDatasetId(dataset).setId(id).addUris("file:///data/" + id + ".png").setSplit(Split.SPLIT_TRAIN)
                .setWidth(64).setHeight(48).putMetadata("camera", "front").build();
    }

    private static Label label(Fuzz fuzz, String dataset, String labeler) {
        Label.Builder l = Label.newBuilder().setDatasetId(dataset).setFrameId(BASE).setLabelerId(labeler).setLabelSet("v1");
        switch (fuzz.nextInt(3)) {
            case 0 -> l.setClassification(ClassLabel.newBuilder().setClassName("cat"));
            case 1 -> l.setBoxes(BoxSet.newBuilder()
                    .addBoxes(Box.newBuilder().setClassName("cat").setX(1).setY(2).setWidth(10).setHeight(12))
                    .addBoxes(Box.newBuilder().setClassName("dog").setX(30).setY(20).setWidth(20).setHeight(20)));
            default -> l.setPolygons(PolygonSet.newBuilder().addPolygons(Polygon.newBuilder().setClassName("dog")
                    .addPoints(Point.newBuilder().setX(1).setY(1)).addPoints(Point.newBuilder().setX(40).setY(2))
                    .addPoints(Point.newBuilder().setX(20).setY(30))));
        }
        return l.build();
    }

    private static Inference inference(Fuzz fuzz, String dataset, String modelId) {
        Inference.Builder x = Inference.newBuilder().setDatasetId(dataset).setFrameId(BASE).setModelId(modelId).setModelVersion("1");
        if (fuzz.nextBoolean()) {
            x.setClassification(ClassProbabilities.newBuilder()
                    .addScores(ClassProbability.newBuilder().setClassName("cat").setProbability(0.25f))
                    .addScores(ClassProbability.newBuilder().setClassName("dog").setProbability(0.75f)));
        } else {
            x.setBoxes(ScoredBoxes.newBuilder().addBoxes(ScoredBox.newBuilder().setScore(0.9f)
                    .setBox(Box.newBuilder().setClassName("dog").setX(5).setY(5).setWidth(10).setHeight(10))));
        }
        return x.build();
    }
}
