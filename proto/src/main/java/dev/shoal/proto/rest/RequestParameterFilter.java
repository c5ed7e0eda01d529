package dev.shoal.proto.rest;

import dev.shoal.proto.Inputs;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import java.util.Map;

/**
 * Path and query parameters of every service's REST API follow the shared input rules
 * ({@link Inputs#parametersProblem}): a NUL, a control character or an unpaired surrogate in a URL gets a 400
 * {@code {"field": "<parameter>", "error": "<parameter>: <problem>"}} before any resource looks the value up in a
 * database. Every service depends on this jar and its Jandex index, so Quarkus registers the filter in each one.
 */
public class RequestParameterFilter {

    @ServerRequestFilter
    public Response check(ContainerRequestContext request) {
        String problem = Inputs.parametersProblem(request.getUriInfo().getPathParameters());
        if (problem == null) {
            problem = Inputs.parametersProblem(request.getUriInfo().getQueryParameters());
        }
        if (problem == null) {
            return null;
        }
        return Response.status(Response.Status.BAD_REQUEST).type(MediaType.APPLICATION_JSON)
                .entity(Map.of("field", problem.substring(0, problem.indexOf(':')), "error", problem)).build();
    }
}
