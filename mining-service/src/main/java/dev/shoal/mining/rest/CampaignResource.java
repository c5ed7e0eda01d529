package dev.shoal.mining.rest;

import dev.shoal.mining.domain.Campaign;
import dev.shoal.mining.domain.CampaignRequest;
import dev.shoal.mining.service.CampaignService;
import io.smallrye.common.annotation.Blocking;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Response;

/** "Find more like this" collection campaigns, and sending them to labeling. */
@Path("/v1/campaigns")
@Blocking
public class CampaignResource {

    @Inject
    CampaignService service;

    @POST
    public Response create(CampaignRequest request) {
        return Response.status(201).entity(service.create(request)).build();
    }

    @GET
    @Path("{id}")
    public Campaign get(@PathParam("id") String id) {
        return service.get(id);
    }

    /** Publishes LabelingRequested; {@code published: false} when this campaign version was already sent. */
    @POST
    @Path("{id}/send")
    public CampaignService.SendResult send(@PathParam("id") String id) {
        return service.send(id);
    }
}
