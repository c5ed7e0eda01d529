package dev.shoal.labeling.rest;

import dev.shoal.labeling.config.LabelingConfig;
import dev.shoal.labeling.domain.CallbackRejected;
import dev.shoal.labeling.domain.InboundCallback;
import dev.shoal.labeling.service.TaskService;
import dev.shoal.labeling.vendor.Vendors;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Where vendors deliver results: {@code POST /v1/callbacks/{vendor}}. Checks run in this order and refuse with
 * nothing stored: unknown vendor (404), authentication / signature / stale timestamp (401), malformed body (400),
 * unknown task (404), answers that do not fit the task (400). A replayed delivery answers 200 with
 * {@code "duplicate": true} and changes nothing.
 */
@Path("/v1/callbacks")
public class CallbackResource {

    private static final Logger LOG = Logger.getLogger(CallbackResource.class);

    @Inject
    Vendors vendors;

    @Inject
    TaskService tasks;

    @POST
    @Path("/{vendor}")
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    public Response callback(@PathParam("vendor") String vendorName, @Context HttpHeaders httpHeaders, byte[] body) {
        try {
            LabelingConfig.Vendor vendor = vendors.config(vendorName)
                    .orElseThrow(() -> new CallbackRejected(404, "unknown vendor " + vendorName));
            Map<String, String> headers = new HashMap<>();
            httpHeaders.getRequestHeaders().forEach((k, v) -> {
                if (!v.isEmpty()) {
                    headers.put(k.toLowerCase(Locale.ROOT), v.get(0));
                }
            });
            InboundCallback cb = vendors.adapter(vendor).callback(vendor, headers, body, Instant.now());
            if (cb == null) {
                return Response.ok(Map.of("ignored", true)).build();
            }
            TaskService.Recorded r = tasks.record(vendorName, cb);
            Map<String, Object> out = new HashMap<>();
            out.put("task_id", r.taskId());
            out.put("duplicate", r.duplicate());
            out.put("stored", r.inserted());
            out.put("updated", r.updated());
            out.put("unchanged", r.unchanged());
            out.put("task_state", r.taskState());
            return Response.ok(out).build();
        } catch (CallbackRejected e) {
            LOG.infof("callback from %s refused (%d): %s", vendorName, e.status(), e.getMessage());
            return Response.status(e.status()).entity(Map.of("error", e.getMessage())).type(MediaType.APPLICATION_JSON).build();
        }
    }
}
