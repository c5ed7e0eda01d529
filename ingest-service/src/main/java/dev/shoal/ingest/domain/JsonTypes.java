package dev.shoal.ingest.domain;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;

import java.util.Iterator;
import java.util.Map;

/**
 * Checks the JSON token types of a proto3-JSON document against its message before protobuf's {@code JsonFormat}
 * parses it. {@code JsonFormat} coerces a number or a boolean into a string field ({@code "id": true} becomes the
 * id {@code "true"}, {@code "id": 12} the id {@code "12"}); a string field must be a JSON string here. Numbers,
 * booleans and enums keep the proto3-JSON forms {@code JsonFormat} accepts (a number may be quoted, "NaN" allowed).
 * Fields are named as the caller spelled them (snake_case or lowerCamelCase), with indexes: {@code boxes.boxes[2].class_name}.
 */
public final class JsonTypes {

    private JsonTypes() {
    }

    /** A field whose JSON value has the wrong type, and why; null when every field it could check has the right type. */
    public record Problem(String field, String message) {
    }

    public static Problem check(JsonNode object, Descriptor type) {
        return check(object, type, "");
    }

    private static Problem check(JsonNode object, Descriptor type, String path) {
        for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            FieldDescriptor field = field(type, e.getKey());
            String name = path.isEmpty() ? e.getKey() : path + "." + e.getKey();
            if (field == null) {
                return new Problem(name, "unknown field");
            }
            JsonNode value = e.getValue();
            if (value.isNull()) {
                continue;
            }
            Problem p;
            if (field.isMapField()) {
                p = map(value, field, name);
            } else if (field.isRepeated()) {
                p = repeated(value, field, name);
            } else {
                p = single(value, field, name);
            }
            if (p != null) {
                return p;
            }
        }
        return null;
    }

    private static Problem map(JsonNode value, FieldDescriptor field, String name) {
        if (!value.isObject()) {
            return new Problem(name, "expected a JSON object, got " + describe(value));
        }
        FieldDescriptor valueField = field.getMessageType().findFieldByName("value");
        for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            Problem p = single(e.getValue(), valueField, name + "." + e.getKey());
            if (p != null) {
                return p;
            }
        }
        return null;
    }

    private static Problem repeated(JsonNode value, FieldDescriptor field, String name) {
        if (!value.isArray()) {
            return new Problem(name, "expected a JSON array, got " + describe(value));
        }
        for (int i = 0; i < value.size(); i++) {
            Problem p = single(value.get(i), field, name + "[" + i + "]");
            if (p != null) {
                return p;
            }
        }
        return null;
    }

    private static Problem single(JsonNode value, FieldDescriptor field, String name) {
        return switch (field.getJavaType()) {
            case STRING -> value.isTextual() ? null : new Problem(name, "expected a JSON string, got " + describe(value));
            case MESSAGE -> {
                if (field.getMessageType().getFile().getPackage().equals("google.protobuf")) {
                    yield null; // well-known types (Timestamp, Struct...) have their own JSON forms
                }
                if (!value.isObject()) {
                    yield new Problem(name, "expected a JSON object, got " + describe(value));
                }
                yield check(value, field.getMessageType(), name);
            }
            case INT, LONG, FLOAT, DOUBLE, BOOLEAN, ENUM -> value.isContainerNode()
                    ? new Problem(name, "expected a " + (field.getJavaType() == FieldDescriptor.JavaType.ENUM ? "name" : "value")
                    + ", got " + describe(value)) : null;
            case BYTE_STRING -> null;
        };
    }

    private static FieldDescriptor field(Descriptor type, String key) {
        FieldDescriptor f = type.findFieldByName(key);
        if (f != null) {
            return f;
        }
        for (FieldDescriptor candidate : type.getFields()) {
            if (candidate.getJsonName().equals(key)) {
                return candidate;
            }
        }
        return null;
    }

    private static String describe(JsonNode value) {
        if (value.isTextual()) {
            return "a string";
        }
        if (value.isBoolean()) {
            return "the boolean " + value.asText();
        }
        if (value.isNumber()) {
            return "the number " + value.asText();
        }
        return value.isArray() ? "an array" : value.isObject() ? "an object" : value.getNodeType().toString().toLowerCase();
    }
}
