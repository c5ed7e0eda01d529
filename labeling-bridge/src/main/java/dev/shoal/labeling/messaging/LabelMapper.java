package dev.shoal.labeling.messaging;

import dev.shoal.labeling.domain.Answer;
import dev.shoal.labeling.domain.QaEvaluator;
import dev.shoal.proto.ingest.v1.Box;
import dev.shoal.proto.ingest.v1.BoxSet;
import dev.shoal.proto.ingest.v1.ClassLabel;
import dev.shoal.proto.ingest.v1.Label;
import dev.shoal.proto.ingest.v1.Point;
import dev.shoal.proto.ingest.v1.Polygon;
import dev.shoal.proto.ingest.v1.PolygonSet;
import dev.shoal.proto.labeling.v1.AcceptedLabel;
import dev.shoal.proto.labeling.v1.AnnotatorScore;

/** Turns the bridge's answers and QA outcome into ingest {@code Label}s and labeling events. */
public final class LabelMapper {

    private LabelMapper() {
    }

    public static Label label(String datasetId, String frameId, String labelerId, String labelSet, Answer answer) {
        Label.Builder b = Label.newBuilder().setDatasetId(datasetId).setFrameId(frameId).setLabelerId(labelerId).setLabelSet(labelSet);
        if (answer.isClassification()) {
            b.setClassification(ClassLabel.newBuilder().setClassName(answer.className()));
        } else if (!answer.boxes().isEmpty()) {
            BoxSet.Builder boxes = BoxSet.newBuilder();
            for (Answer.BoxValue v : answer.boxes()) {
                boxes.addBoxes(Box.newBuilder().setClassName(v.className()).setX((float) v.x()).setY((float) v.y())
                        .setWidth((float) v.width()).setHeight((float) v.height()));
            }
            b.setBoxes(boxes);
        } else {
            PolygonSet.Builder polygons = PolygonSet.newBuilder();
            for (Answer.PolygonValue v : answer.polygons()) {
                Polygon.Builder p = Polygon.newBuilder().setClassName(v.className());
                for (double[] xy : v.points()) {
                    p.addPoints(Point.newBuilder().setX((float) xy[0]).setY((float) xy[1]));
                }
                polygons.addPolygons(p);
            }
            b.setPolygons(polygons);
        }
        return b.build();
    }

    public static AcceptedLabel accepted(String datasetId, String labelSet, String consensusLabelerId, QaEvaluator.FrameConsensus f) {
        AcceptedLabel.Builder b = AcceptedLabel.newBuilder().setFrameId(f.frameId()).setMethod(f.method()).setConfidence(f.confidence())
                .setConsensus(label(datasetId, f.frameId(), consensusLabelerId, labelSet, f.consensus()));
        for (QaEvaluator.Given g : f.accepted()) {
            b.addAnnotations(label(datasetId, g.frameId(), g.annotatorId(), labelSet, g.answer()));
        }
        return b.build();
    }

    public static AnnotatorScore score(QaEvaluator.AnnotatorQa a) {
        return AnnotatorScore.newBuilder().setAnnotatorId(a.annotatorId()).setLabels(a.labels())
                .setAgreement(Double.isNaN(a.agreement()) ? 0 : a.agreement()).setGoldTotal(a.goldTotal())
                .setGoldCorrect(a.goldCorrect())
                .setEstimatedAccuracy(Double.isNaN(a.estimatedAccuracy()) ? 0 : a.estimatedAccuracy())
                .setAccepted(a.accepted()).build();
    }
}
