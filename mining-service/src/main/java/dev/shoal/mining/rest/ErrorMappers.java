package dev.shoal.mining.rest;

import dev.shoal.mining.service.BadRequest;
import dev.shoal.mining.service.NotFound;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Bad input → 400 naming the field; unknown id → 404. */
public class ErrorMappers {

    public record ErrorBody(String field, String message) {
    }

    @ServerExceptionMapper
    public Response badRequest(BadRequest e) {
        return Response.status(400).type(MediaType.APPLICATION_JSON).entity(new ErrorBody(e.field(), e.getMessage())).build();
    }

    @ServerExceptionMapper
    public Response notFound(NotFound e) {
        return Response.status(404).type(MediaType.APPLICATION_JSON).entity(new ErrorBody(null, e.getMessage())).build();
    }
}
