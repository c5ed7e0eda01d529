package dev.shoal.ingest.rest;

import dev.shoal.ingest.config.IngestConfig;
import dev.shoal.ingest.messaging.EventPublisher;
import dev.shoal.ingest.service.ConflictException;
import dev.shoal.ingest.service.InvalidRequestException;
import dev.shoal.ingest.store.StoreException;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.util.Map;

/** Failures as JSON bodies {"error": "..."} with the status that says who must act. */
public class ErrorMappers {

    private static final Logger LOG = Logger.getLogger(ErrorMappers.class);

    /** 400 {@code {"error": "...", "field": "<name>", "message": "..."}}; field and message only when a field is at fault. */
    @ServerExceptionMapper
    public Response invalid(InvalidRequestException e) {
        if (e.field() == null) {
            return error(Response.Status.BAD_REQUEST, e.getMessage());
        }
        String message = e.getMessage().substring(e.field().length() + 2);
        return Response.status(Response.Status.BAD_REQUEST).type(MediaType.APPLICATION_JSON)
                .entity(Map.of("error", e.getMessage(), "field", e.field(), "message", message)).build();
    }

    @ServerExceptionMapper
    public Response conflict(ConflictException e) {
        return error(Response.Status.CONFLICT, e.getMessage());
    }

    @Inject
    IngestConfig config;

    @ServerExceptionMapper
    public Response store(StoreException e) {
        LOG.error("catalog store failure", e);
        return retryLater(e.publicMessage());
    }

    @ServerExceptionMapper
    public Response publish(EventPublisher.PublishException e) {
        if (e instanceof EventPublisher.BrokerUnavailable) {
            LOG.debug(e.getMessage());
            return retryLater(e.getMessage());
        }
        LOG.error("event publishing failure", e);
        return retryLater("events could not be published, nothing was stored; retry: " + e.getMessage());
    }

    /** 503 with Retry-After: the request was not applied and may be sent again as it is. */
    private Response retryLater(String message) {
        return Response.fromResponse(error(Response.Status.SERVICE_UNAVAILABLE, message))
                .header("Retry-After", Long.toString(Math.max(1, config.brokerRetryAfter().toSeconds()))).build();
    }

    static Response error(Response.Status status, String message) {
        return Response.status(status).type(MediaType.APPLICATION_JSON).entity(Map.of("error", message)).build();
    }
}
