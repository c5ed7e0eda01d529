package dev.shoal.mining.rest;

import dev.shoal.mining.domain.Issue;
import dev.shoal.mining.domain.Results.Page;
import dev.shoal.mining.service.BadRequest;
import dev.shoal.mining.service.IssueService;
import io.smallrye.common.annotation.Blocking;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;

/** Issues: page through them, triage them. */
@Path("/v1/issues")
@Blocking
public class IssueResource {

    @Inject
    IssueService service;

    /** state, an optional note; with label_wrong, optionally the class to write back and who decided it. */
    public record TriageRequest(String state, String note, String correctedClass, String labelerId) {
    }

    @GET
    public Page<Issue> page(@QueryParam("analysis") String analysis, @QueryParam("type") String type,
                            @QueryParam("state") String state, @QueryParam("page") Integer page,
                            @QueryParam("page_size") Integer pageSize) {
        return service.page(analysis, type, state, page, pageSize);
    }

    @GET
    @Path("{id}")
    public Issue get(@PathParam("id") String id) {
        return service.get(id);
    }

    @PATCH
    @Path("{id}")
    public Issue triage(@PathParam("id") String id, TriageRequest body) {
        if (body == null) {
            throw new BadRequest("state", "a JSON body with state is required");
        }
        return service.triage(id, body.state(), body.note(), body.correctedClass(), body.labelerId());
    }
}
