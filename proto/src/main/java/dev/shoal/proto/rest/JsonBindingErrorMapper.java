package dev.shoal.proto.rest;

import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A JSON request body that does not bind to its endpoint's type gets a 400 naming the field as the caller spelled it,
 * with its path ({@code filter.dataset_id}, {@code frame_ids[2]}):
 * {@code {"error": "Bad Request", "field": "<path>", "message": "unknown field"}} for a field the type does not have
 * (services refuse unknown fields: {@code quarkus.jackson.fail-on-unknown-properties=true}), or Jackson's reason for a
 * value of the wrong type. Every service depends on this jar and its Jandex index, so Quarkus registers it in each.
 */
public class JsonBindingErrorMapper {

    @ServerExceptionMapper
    public Response mismatched(MismatchedInputException e) {
        String field = path(e);
        String message = e instanceof UnrecognizedPropertyException ? "unknown field" : shorten(e.getOriginalMessage());
        Map<String, String> body = new LinkedHashMap<>();
        body.put("error", Response.Status.BAD_REQUEST.getReasonPhrase());
        body.put("field", field.isEmpty() ? "body" : field);
        body.put("message", message);
        return Response.status(Response.Status.BAD_REQUEST).type(MediaType.APPLICATION_JSON).entity(body).build();
    }

    /** {@code filter.dataset_id}, {@code frame_ids[2]}: the JSON names, not the Java ones. */
    static String path(JsonMappingException e) {
        StringBuilder out = new StringBuilder();
        for (JsonMappingException.Reference r : e.getPath()) {
            if (r.getFieldName() != null) {
                out.append(out.isEmpty() ? "" : ".").append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                out.append('[').append(r.getIndex()).append(']');
            }
        }
        return out.toString();
    }

    /** Jackson's messages may quote the input: a few hundred characters at most go back. */
    private static String shorten(String message) {
        String m = message == null ? "does not fit the expected type" : message.split("\n", 2)[0];
        return m.length() <= 300 ? m : m.substring(0, 297) + "...";
    }
}
