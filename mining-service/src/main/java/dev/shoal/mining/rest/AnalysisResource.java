package dev.shoal.mining.rest;

import dev.shoal.mining.domain.Analysis;
import dev.shoal.mining.domain.AnalysisRequest;
import dev.shoal.mining.domain.Results.ClusterSummary;
import dev.shoal.mining.domain.Results.DuplicateGroup;
import dev.shoal.mining.domain.Results.LabelerQuality;
import dev.shoal.mining.domain.Results.MapPoint;
import dev.shoal.mining.domain.Results.MetadataSlice;
import dev.shoal.mining.domain.Results.Outlier;
import dev.shoal.mining.domain.Results.Page;
import dev.shoal.mining.service.AnalysisService;
import dev.shoal.mining.service.IssueService;
import dev.shoal.mining.store.ResultRepository;
import io.smallrye.common.annotation.Blocking;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Response;

import java.util.List;

/** Analyses as jobs, and what they found (clusters, metadata slices, outliers, duplicates, leakage, map). */
@Path("/v1/analyses")
@Blocking
public class AnalysisResource {

    @Inject
    AnalysisService service;

    @Inject
    ResultRepository results;

    /** 202 with a new job, or 200 with the job that already answers the same inputs ({@code reused: true}). */
    @POST
    public Response start(AnalysisRequest request) {
        Analysis a = service.start(request);
        return Response.status(a.reused() ? 200 : 202).entity(a).build();
    }

    @GET
    @Path("{id}")
    public Analysis get(@PathParam("id") String id) {
        return service.get(id);
    }

    @GET
    @Path("{id}/clusters")
    public List<ClusterSummary> clusters(@PathParam("id") String id, @QueryParam("method") String method) {
        service.get(id);
        return results.clusters(id, method);
    }

    @GET
    @Path("{id}/clusters/{method}/{clusterId}/frames")
    public Page<String> clusterFrames(@PathParam("id") String id, @PathParam("method") String method,
                                      @PathParam("clusterId") int clusterId, @QueryParam("page") Integer page,
                                      @QueryParam("page_size") Integer pageSize) {
        service.get(id);
        return results.clusterMembers(id, method, clusterId, IssueService.checkPage(page), IssueService.checkSize(pageSize));
    }

    @GET
    @Path("{id}/slices")
    public List<MetadataSlice> slices(@PathParam("id") String id) {
        service.get(id);
        return results.slices(id);
    }

    @GET
    @Path("{id}/outliers")
    public Page<Outlier> outliers(@PathParam("id") String id, @QueryParam("page") Integer page,
                                  @QueryParam("page_size") Integer pageSize) {
        service.get(id);
        return results.outliers(id, IssueService.checkPage(page), IssueService.checkSize(pageSize));
    }

    @GET
    @Path("{id}/duplicates")
    public Page<DuplicateGroup> duplicates(@PathParam("id") String id, @QueryParam("page") Integer page,
                                           @QueryParam("page_size") Integer pageSize) {
        service.get(id);
        return results.duplicates(id, false, IssueService.checkPage(page), IssueService.checkSize(pageSize));
    }

    /** Near-duplicate groups that cross train / validation / test splits. */
    @GET
    @Path("{id}/leakage")
    public Page<DuplicateGroup> leakage(@PathParam("id") String id, @QueryParam("page") Integer page,
                                        @QueryParam("page_size") Integer pageSize) {
        service.get(id);
        return results.duplicates(id, true, IssueService.checkPage(page), IssueService.checkSize(pageSize));
    }

    @GET
    @Path("{id}/map")
    public Page<MapPoint> map(@PathParam("id") String id, @QueryParam("page") Integer page,
                              @QueryParam("page_size") Integer pageSize) {
        service.get(id);
        int size = pageSize == null ? 5000 : pageSize;
        if (size < 1 || size > 50_000) {
            throw new dev.shoal.mining.service.BadRequest("page_size", "page_size must be within 1..50000");
        }
        return results.mapPoints(id, IssueService.checkPage(page), size);
    }

    @GET
    @Path("{id}/labeler-quality")
    public List<LabelerQuality> labelerQuality(@PathParam("id") String id) {
        service.get(id);
        return results.labelerQuality(id);
    }
}
