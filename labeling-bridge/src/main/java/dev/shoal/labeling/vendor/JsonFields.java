package dev.shoal.labeling.vendor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.shoal.labeling.domain.CallbackRejected;

import java.io.IOException;

/** Reads vendor JSON; every problem is a 400 naming the field. */
final class JsonFields {

    private JsonFields() {
    }

    static JsonNode parse(ObjectMapper mapper, byte[] body) {
        if (body == null || body.length == 0) {
            throw new CallbackRejected(400, "empty body");
        }
        try {
            JsonNode node = mapper.readTree(body);
            if (node == null || !node.isObject()) {
                throw new CallbackRejected(400, "body must be a JSON object");
            }
            return node;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new CallbackRejected(400, "body is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new CallbackRejected(400, "body is not readable: " + e.getMessage());
        }
    }

    /**
     * Refuses a field of {@code node} that is not one of {@code known}: 400 {@code "<path>.<name>: unknown field"}, so a
     * misspelled field is not dropped silently. {@code path} is where the object sits ("" for the body itself).
     */
    static void onlyKnown(JsonNode node, String path, java.util.Set<String> known) {
        if (node == null || !node.isObject()) {
            return;
        }
        for (java.util.Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!known.contains(name)) {
                throw new CallbackRejected(400, (path.isEmpty() ? "" : path + ".") + name + ": unknown field; known: "
                        + String.join(", ", new java.util.TreeSet<>(known)));
            }
        }
    }

    static String text(JsonNode node, String field, String path) {
        JsonNode v = node == null ? null : node.get(field);
        if (v == null || v.isNull() || !(v.isTextual() || v.isNumber()) || v.asText().isBlank()) {
            throw new CallbackRejected(400, path + " is required (a non-empty string)");
        }
        return v.asText();
    }

    static String optText(JsonNode node, String field) {
        JsonNode v = node == null ? null : node.get(field);
        return v == null || v.isNull() || v.asText().isBlank() ? null : v.asText();
    }

    static double number(JsonNode node, String field, String path) {
        JsonNode v = node == null ? null : node.get(field);
        if (v == null || !v.isNumber() || !Double.isFinite(v.asDouble())) {
            throw new CallbackRejected(400, path + " is required (a finite number)");
        }
        return v.asDouble();
    }

    static JsonNode array(JsonNode node, String field, String path, boolean required) {
        JsonNode v = node == null ? null : node.get(field);
        if (v == null || v.isNull()) {
            if (required) {
                throw new CallbackRejected(400, path + " is required (an array)");
            }
            return null;
        }
        if (!v.isArray()) {
            throw new CallbackRejected(400, path + " must be an array");
        }
        return v;
    }

    static JsonNode object(JsonNode node, String field, String path) {
        JsonNode v = node == null ? null : node.get(field);
        if (v == null || !v.isObject()) {
            throw new CallbackRejected(400, path + " is required (an object)");
        }
        return v;
    }
}
