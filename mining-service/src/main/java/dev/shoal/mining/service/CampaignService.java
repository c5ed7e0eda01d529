package dev.shoal.mining.service;

import dev.shoal.mining.domain.Analysis;
import dev.shoal.mining.domain.Campaign;
import dev.shoal.mining.domain.Campaign.CampaignFrame;
import dev.shoal.mining.domain.CampaignRequest;
import dev.shoal.mining.domain.Issue;
import dev.shoal.mining.messaging.LabelingRequestedProducer;
import dev.shoal.mining.store.AnalysisRepository;
import dev.shoal.mining.store.CampaignRepository;
import dev.shoal.mining.store.EmbeddingRepository;
import dev.shoal.mining.store.ResultRepository;
import dev.shoal.proto.Inputs;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * "Find more like this": seeds (an issue's frame, a cluster's members, or hand-picked frames) → centroid of
 * their normalised vectors → nearest frames of the unlabeled pool through {@link PoolSearch} → a ranked
 * collection campaign, sent to labeling at most once per campaign version.
 */
@ApplicationScoped
public class CampaignService {

    public static final int DEFAULT_LIMIT = 100;
    public static final int MAX_LIMIT = 10_000;

    @Inject
    CampaignRepository campaigns;

    @Inject
    AnalysisRepository analyses;

    @Inject
    ResultRepository results;

    @Inject
    EmbeddingRepository embeddings;

    @Inject
    VectorSources vectors;

    @Inject
    PoolSearch poolSearch;

    @Inject
    LabelingRequestedProducer producer;

    public record SendResult(String campaignId, int version, boolean published) {
    }

    /** Most hand-picked frames and label-schema classes one campaign request may carry. */
    static final int MAX_LIST = 10_000;

    /** The shared input rules ({@link Inputs}) on every field of the request, before anything is looked up or stored. */
    private static void checkInputs(CampaignRequest r) {
        BadRequest.optionalId("dataset_id", r.datasetId());
        BadRequest.optionalId("issue_id", r.issueId());
        BadRequest.optionalId("analysis_id", r.analysisId());
        BadRequest.optionalId("cluster_method", r.clusterMethod());
        BadRequest.optionalId("embedding_model_id", r.embeddingModelId());
        BadRequest.optionalId("embedding_model_version", r.embeddingModelVersion());
        BadRequest.optionalId("annotation_type", r.annotationType());
        BadRequest.optionalId("target_label_set", r.targetLabelSet());
        BadRequest.optionalId("vendor", r.vendor());
        BadRequest.when("name", Inputs.textProblem(r.name(), Inputs.MAX_NAME_BYTES));
        BadRequest.when("instructions", Inputs.textProblem(r.instructions(), Inputs.MAX_TEXT_BYTES));
        for (var list : java.util.Map.of("frame_ids", r.frameIds() == null ? List.<String>of() : r.frameIds(),
                "label_schema", r.labelSchema() == null ? List.<String>of() : r.labelSchema()).entrySet()) {
            if (list.getValue().size() > MAX_LIST) {
                throw new BadRequest(list.getKey(), list.getKey() + " has " + list.getValue().size() + " entries, more than " + MAX_LIST);
            }
            for (int i = 0; i < list.getValue().size(); i++) {
                String v = list.getValue().get(i);
                BadRequest.when(list.getKey() + "[" + i + "]", list.getKey().equals("frame_ids") ? Inputs.idProblem(v)
                        : v == null || v.isBlank() ? "is required" : Inputs.textProblem(v, Inputs.MAX_NAME_BYTES));
            }
        }
    }

    public Campaign create(CampaignRequest r) {
        if (r == null) {
            throw new BadRequest("body", "a JSON body is required");
        }
        checkInputs(r);
        int seeds = (r.issueId() != null ? 1 : 0) + (r.clusterId() != null ? 1 : 0)
                + (r.frameIds() != null && !r.frameIds().isEmpty() ? 1 : 0);
        if (seeds != 1) {
            throw new BadRequest("issue_id", "give exactly one seed: issue_id, analysis_id + cluster_id, or frame_ids");
        }
        int limit = r.limit() == null ? DEFAULT_LIMIT : r.limit();
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new BadRequest("limit", "limit must be within 1.." + MAX_LIMIT);
        }
        String annotationType = r.annotationType() == null ? "classification" : r.annotationType();
        if (!List.of("classification", "boxes", "polygons").contains(annotationType)) {
            throw new BadRequest("annotation_type", "annotation_type must be classification, boxes or polygons");
        }

        String datasetId = r.datasetId();
        String embId = r.embeddingModelId();
        String embVersion = r.embeddingModelVersion();
        List<String> seedFrames;
        String source;
        String reason;
        if (r.issueId() != null) {
            Issue issue = results.issue(r.issueId()).orElseThrow(() -> new BadRequest("issue_id", "no issue " + r.issueId()));
            Analysis a = analyses.get(issue.analysisId()).orElseThrow();
            datasetId = issue.datasetId();
            embId = blank(embId) ? a.embeddingModelId() : embId;
            embVersion = blank(embVersion) ? a.embeddingModelVersion() : embVersion;
            seedFrames = List.of(issue.frameId());
            source = "issue:" + issue.id();
            reason = "similar_to:" + issue.frameId();
        } else if (r.clusterId() != null) {
            if (blank(r.analysisId())) {
                throw new BadRequest("analysis_id", "analysis_id is required with cluster_id");
            }
            Analysis a = analyses.get(r.analysisId()).orElseThrow(() -> new BadRequest("analysis_id", "no analysis " + r.analysisId()));
            String method = blank(r.clusterMethod()) ? firstMethod(a.id(), r.clusterId()) : r.clusterMethod();
            datasetId = a.datasetId();
            embId = blank(embId) ? a.embeddingModelId() : embId;
            embVersion = blank(embVersion) ? a.embeddingModelVersion() : embVersion;
            seedFrames = results.allClusterMembers(a.id(), method, r.clusterId());
            if (seedFrames.isEmpty()) {
                throw new BadRequest("cluster_id", "analysis " + a.id() + " has no " + method + " cluster " + r.clusterId());
            }
            source = "cluster:" + a.id() + ":" + method + ":" + r.clusterId();
            reason = "failure_cluster:" + r.clusterId();
        } else {
            if (blank(datasetId)) {
                throw new BadRequest("dataset_id", "dataset_id is required with frame_ids");
            }
            seedFrames = List.copyOf(new java.util.LinkedHashSet<>(r.frameIds()));
            source = "hand-picked";
            reason = "similar_to_selection";
        }
        if (blank(embVersion)) {
            throw new BadRequest("embedding_model_version", "embedding_model_version is required for this seed");
        }
        if (blank(embId)) {
            List<String> ids = embeddings.modelIdsForVersion(datasetId, embVersion);
            if (ids.size() != 1) {
                throw new BadRequest("embedding_model_id", "name the embedding model of version " + embVersion + " (found " + ids + ")");
            }
            embId = ids.get(0);
        }

        Map<String, float[]> seedVectors = new HashMap<>();
        vectors.fetch(datasetId, embId, embVersion, seedFrames, seedVectors::put);
        if (seedVectors.isEmpty()) {
            throw new BadRequest(r.frameIds() != null ? "frame_ids" : "embedding_model_version",
                    "none of the seed frames has a vector of embedding_model_id " + embId
                            + " embedding_model_version " + embVersion);
        }
        float[] centroid = centroid(seedVectors.values());
        Set<String> exclude = new HashSet<>(seedFrames);
        List<PoolSearch.Hit> hits = poolSearch.similar(datasetId, embId, embVersion, centroid, limit, exclude);

        List<CampaignFrame> frames = new ArrayList<>();
        for (int i = 0; i < hits.size(); i++) {
            frames.add(new CampaignFrame(i + 1, hits.get(i).frameId(), hits.get(i).similarity(), reason));
        }
        List<String> schema = r.labelSchema() == null || r.labelSchema().isEmpty() ? campaigns.classNames(datasetId) : r.labelSchema();
        Campaign c = new Campaign(UUID.randomUUID().toString(), datasetId,
                blank(r.name()) ? "more like " + source : r.name(), source, r.instructions() == null ? "" : r.instructions(),
                schema, annotationType, r.targetLabelSet() == null ? "" : r.targetLabelSet(),
                r.vendor() == null ? "" : r.vendor(), 1, 0, frames, null);
        campaigns.insert(c);
        return get(c.id());
    }

    public Campaign get(String id) {
        return campaigns.get(id).orElseThrow(() -> new NotFound("no campaign " + id));
    }

    /** Publishes LabelingRequested once per campaign version; a second send of the same version publishes nothing. */
    public SendResult send(String id) {
        Campaign current = get(id);
        if (current.frames().isEmpty()) {
            throw new BadRequest("id", "campaign " + id + " has no frames to send");
        }
        boolean published = campaigns.sendOnce(id, c -> {
            producer.publish(c, campaigns.uris(c.datasetId(), c.frames().stream().map(CampaignFrame::frameId).toList()));
            return null;
        });
        return new SendResult(id, current.version(), published);
    }

    private String firstMethod(String analysisId, int clusterId) {
        return results.clusters(analysisId, null).stream().filter(c -> c.clusterId() == clusterId).map(c -> c.method())
                .findFirst().orElseThrow(() -> new BadRequest("cluster_id", "analysis " + analysisId + " has no cluster " + clusterId));
    }

    static float[] centroid(java.util.Collection<float[]> vs) {
        float[] c = null;
        for (float[] v : vs) {
            if (c == null) {
                c = new float[v.length];
            }
            double n = 0;
            for (float x : v) {
                n += x * x;
            }
            n = Math.sqrt(n);
            for (int i = 0; i < v.length && i < c.length; i++) {
                c[i] += n == 0 ? 0 : (float) (v[i] / n);
            }
        }
        return c;
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
