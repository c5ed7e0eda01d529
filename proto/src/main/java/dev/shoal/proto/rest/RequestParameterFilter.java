package dev.shoal.proto.rest;

import dev.shoal.proto.Inputs;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Path and query parameters of every service's REST API follow the shared input rules
 * ({@link Inputs#parametersProblem}): a NUL, a control character or an unpaired surrogate in a URL gets a 400
 * {@code {"field": "<parameter>", "message": "<problem>", "error": "<parameter>: <problem>"}} before any resource
 * looks the value up in a database. A query parameter the matched endpoint does not declare ({@code @QueryParam})
 * gets the same 400 with the message {@code unknown query parameter} and the names it does take, so a misspelled
 * filter ({@code datasetId=} for {@code dataset_id=}) is refused instead of silently matching everything. Every
 * service depends on this jar and its Jandex index, so Quarkus registers the filter in each one.
 */
public class RequestParameterFilter {

    private static final Map<Method, Set<String>> DECLARED = new ConcurrentHashMap<>();

    @ServerRequestFilter
    public Response check(ContainerRequestContext request, ResourceInfo resource) {
        Map<String, ? extends java.util.List<String>> query = request.getUriInfo().getQueryParameters();
        String problem = Inputs.parametersProblem(request.getUriInfo().getPathParameters());
        if (problem == null) {
            problem = Inputs.parametersProblem(query);
        }
        if (problem != null) {
            String field = problem.substring(0, problem.indexOf(':'));
            return badRequest(field, problem.substring(field.length() + 1).strip());
        }
        Method method = resource == null ? null : resource.getResourceMethod();
        if (method == null || query.isEmpty()) {
            return null;
        }
        Set<String> declared = DECLARED.computeIfAbsent(method, RequestParameterFilter::queryParameters);
        for (String name : new TreeSet<>(query.keySet())) { // sorted: the same request names the same parameter
            if (!declared.contains(name)) {
                return badRequest(name, "unknown query parameter" + (declared.isEmpty()
                        ? "; this endpoint takes none" : "; known: " + String.join(", ", declared)));
            }
        }
        return null;
    }

    /** The query parameter names a resource method declares, sorted. */
    static Set<String> queryParameters(Method method) {
        Set<String> names = new TreeSet<>();
        for (Annotation[] annotations : method.getParameterAnnotations()) {
            for (Annotation a : annotations) {
                if (a instanceof QueryParam q) {
                    names.add(q.value());
                }
            }
        }
        return names;
    }

    private static Response badRequest(String field, String message) {
        Map<String, String> body = new LinkedHashMap<>();
        body.put("field", field);
        body.put("message", message);
        body.put("error", field + ": " + message);
        return Response.status(Response.Status.BAD_REQUEST).type(MediaType.APPLICATION_JSON).entity(body).build();
    }
}
