package dev.shoal.mining.rest;

import dev.shoal.mining.service.DatasetStateService;
import io.smallrye.common.annotation.Blocking;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;

import java.util.Map;

/** What each service has seen of a dataset, how far mining is behind, and what it dead-lettered. */
@Path("/v1/datasets")
@Blocking
public class DatasetStateResource {

    @Inject
    DatasetStateService states;

    @GET
    @Path("{id}/state")
    public Map<String, Object> state(@PathParam("id") String id) {
        return states.state(id);
    }
}
