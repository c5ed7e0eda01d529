package dev.shoal.mining.messaging;

import dev.shoal.mining.domain.Issue;

/** Domain issue to its proto message (STYLE.md #6). */
public final class IssueMapper {
    private IssueMapper() {
    }

    public static dev.shoal.proto.mining.v1.Issue toProto(Issue i) {
        var b = dev.shoal.proto.mining.v1.Issue.newBuilder()
                .setId(i.id())
                .setAnalysisId(i.analysisId())
                .setDatasetId(i.datasetId())
                .setFrameId(i.frameId())
                .setType(i.type())
                .setScore(i.score())
                .setState(i.state())
                .putAllScores(i.scores());
        if (i.givenLabel() != null) {
            b.setGivenLabel(i.givenLabel());
        }
        if (i.suggestedLabel() != null) {
            b.setSuggestedLabel(i.suggestedLabel());
        }
        if (i.labelSet() != null) {
            b.setLabelSet(i.labelSet());
        }
        if (i.modelId() != null) {
            b.setModelId(i.modelId());
        }
        if (i.modelVersion() != null) {
            b.setModelVersion(i.modelVersion());
        }
        if (i.note() != null) {
            b.setNote(i.note());
        }
        if (i.correctedLabel() != null) {
            b.setCorrectedLabel(i.correctedLabel());
        }
        return b.build();
    }
}
