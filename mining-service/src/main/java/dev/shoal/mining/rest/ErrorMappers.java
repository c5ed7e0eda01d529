package dev.shoal.mining.rest;

import dev.shoal.mining.service.BadRequest;
import dev.shoal.mining.service.NotFound;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Bad input → 400 naming the field; unknown id → 404; a store failure → 500 without the database's text. */
public class ErrorMappers {

    private static final Logger LOG = Logger.getLogger(ErrorMappers.class);

    public record ErrorBody(String field, String message) {
    }

    @ServerExceptionMapper
    public Response badRequest(BadRequest e) {
        return Response.status(400).type(MediaType.APPLICATION_JSON).entity(new ErrorBody(e.field(), e.getMessage())).build();
    }

    /**
     * The stores wrap database failures as IllegalStateException with the driver's text (SQL, values): that text
     * goes to the log, never to the caller.
     */
    @ServerExceptionMapper
    public Response internal(IllegalStateException e) {
        LOG.error("request failed", e);
        return Response.status(500).type(MediaType.APPLICATION_JSON)
                .entity(new ErrorBody(null, "internal error; the details are in the service log")).build();
    }

    @ServerExceptionMapper
    public Response notFound(NotFound e) {
        return Response.status(404).type(MediaType.APPLICATION_JSON).entity(new ErrorBody(null, e.getMessage())).build();
    }
}
