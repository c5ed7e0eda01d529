package dev.shoal.labeling.rest;

import dev.shoal.labeling.store.RetrainRepository;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code GET /v1/retrain-requests/{id}}: the request, the model it started from, and the model versions that
 * answered it (ModelVersionRegistered with this retrain_request_id), so old and new can be compared.
 */
@Path("/v1/retrain-requests")
@Produces(MediaType.APPLICATION_JSON)
public class RetrainResource {

    @Inject
    RetrainRepository repo;

    @GET
    @Path("/{id}")
    public Map<String, Object> get(@PathParam("id") String id) {
        RetrainRepository.Request r = repo.find(id).orElseThrow(() -> new NotFoundException("unknown retrain request " + id));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("request_id", r.requestId());
        out.put("dataset_id", r.datasetId());
        out.put("label_set", r.labelSet());
        out.put("reason", r.reason());
        out.put("campaign_id", r.campaignId());
        out.put("corrected_labels", r.correctedLabels());
        Map<String, Object> base = new LinkedHashMap<>();
        base.put("model_id", r.baseModelId());
        base.put("version", r.baseModelVersion());
        out.put("base_model", base);
        out.put("webhook_status", r.webhookStatus());
        out.put("webhook_error", r.webhookError());
        out.put("created_at", r.createdAt());
        out.put("model_versions", repo.answers(id).stream().map(m -> {
            Map<String, Object> mv = new LinkedHashMap<>();
            mv.put("model_id", m.modelId());
            mv.put("version", m.version());
            mv.put("parent_version", m.parentVersion());
            mv.put("registered_at", m.registeredAt());
            return mv;
        }).toList());
        return out;
    }
}
