package dev.shoal.ingest.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.util.JsonFormat;
import dev.shoal.ingest.domain.JsonTypes;
import dev.shoal.ingest.service.InvalidRequestException;
import dev.shoal.proto.common.v1.BatchResult;
import dev.shoal.proto.common.v1.RowError;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The REST API speaks proto3-JSON (field names in snake_case or lowerCamelCase; enums by name; "NaN" allowed
 * where a float is expected, and then refused by validation). Rows are parsed one by one, so one malformed row
 * is reported with its index and does not sink the others. A string field must be a JSON string ({@link JsonTypes}:
 * protobuf's parser alone would store {@code "id": 12} as the id "12"); documents nest at most
 * {@value #MAX_DEPTH} levels.
 */
public final class ProtoJson {

    /** The deepest nesting a request needs is 6 (a polygon's points); anything much deeper is refused before parsing. */
    public static final int MAX_DEPTH = 32;
    private static final ObjectMapper MAPPER = new ObjectMapper(com.fasterxml.jackson.core.JsonFactory.builder()
            .streamReadConstraints(com.fasterxml.jackson.core.StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build())
            .build());
    private static final JsonFormat.Parser PARSER = JsonFormat.parser();
    private static final JsonFormat.Printer PRINTER = JsonFormat.printer().preservingProtoFieldNames().alwaysPrintFieldsWithNoPresence();

    private ProtoJson() {
    }

    public static String print(MessageOrBuilder message) {
        try {
            return PRINTER.print(message);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException(e);
        }
    }

    public static <T extends Message> T parse(String json, Message.Builder builder, String what) {
        JsonNode root = tree(json);
        if (!root.isObject()) {
            throw new InvalidRequestException("the body must be a JSON object (a " + what + ")");
        }
        JsonTypes.Problem problem = JsonTypes.check(root, builder.getDescriptorForType());
        if (problem != null) {
            throw new InvalidRequestException(problem.field(), problem.message());
        }
        try {
            PARSER.merge(json, builder);
        } catch (InvalidProtocolBufferException e) {
            throw new InvalidRequestException(what + ": " + shorten(e.getMessage()));
        }
        @SuppressWarnings("unchecked")
        T built = (T) builder.build();
        return built;
    }

    public static JsonNode tree(String body) {
        if (body == null || body.isBlank()) {
            throw new InvalidRequestException("the request body is empty");
        }
        try {
            return MAPPER.readTree(body);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new InvalidRequestException("the body is not valid JSON: " + e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr()));
        } catch (IOException e) {
            throw new InvalidRequestException("the body could not be read: " + e.getMessage());
        }
    }

    /** Rows that parsed, their positions in the request, and the parse errors of the others. */
    public record Rows<T>(List<T> rows, List<Integer> positions, List<RowError> errors) {

        /** Maps the errors of the validated (parsed) rows back to request positions and merges the parse errors. */
        public BatchResult merge(BatchResult result, String collection) {
            List<RowError> all = new ArrayList<>(errors);
            for (RowError e : result.getErrorsList()) {
                int original = positions.get(e.getIndex());
                String field = e.getField().replaceFirst("^" + java.util.regex.Pattern.quote(collection + "[" + e.getIndex() + "]"),
                        collection + "[" + original + "]");
                all.add(e.toBuilder().setIndex(original).setField(field).build());
            }
            all.sort(java.util.Comparator.comparingInt(RowError::getIndex));
            return result.toBuilder().setReceived(result.getReceived() + errors.size()).clearErrors().addAllErrors(all).build();
        }
    }

    /**
     * Reads {@code {"<collection>": [ ... ]}} (the collection named in snake_case or, as proto3-JSON allows,
     * lowerCamelCase; or a bare array) into messages. Any other field of the object is refused, naming it. A row that
     * does not parse becomes a row error.
     */
    public static <T extends Message> Rows<T> rows(String body, String collection, Supplier<Message.Builder> builders) {
        JsonNode root = tree(body);
        JsonNode array = root.isArray() ? root : collection(root, collection);
        if (array == null || !array.isArray()) {
            throw new InvalidRequestException(collection, "the body must be a JSON object with an array field '"
                    + collection + "' (or a bare array)");
        }
        List<T> rows = new ArrayList<>(array.size());
        List<Integer> positions = new ArrayList<>(array.size());
        List<RowError> errors = new ArrayList<>();
        for (int i = 0; i < array.size(); i++) {
            JsonNode element = array.get(i);
            Message.Builder b = builders.get();
            try {
                if (!element.isObject()) {
                    throw new InvalidProtocolBufferException("expected a JSON object, got " + element.getNodeType());
                }
                JsonTypes.Problem problem = JsonTypes.check(element, b.getDescriptorForType());
                if (problem != null) {
                    errors.add(RowError.newBuilder().setIndex(i).setId(idOf(element))
                            .setField(collection + "[" + i + "]." + problem.field()).setMessage(problem.message()).build());
                    continue;
                }
                PARSER.merge(element.toString(), b);
                @SuppressWarnings("unchecked")
                T row = (T) b.build();
                rows.add(row);
                positions.add(i);
            } catch (InvalidProtocolBufferException e) {
                errors.add(RowError.newBuilder().setIndex(i).setField(collection + "[" + i + "]")
                        .setMessage("malformed row: " + shorten(e.getMessage())).build());
            }
        }
        return new Rows<>(rows, positions, errors);
    }

    /** The collection array of a batch object; any other field is an unknown field. */
    private static JsonNode collection(JsonNode root, String collection) {
        if (!root.isObject()) {
            return null;
        }
        String camel = lowerCamel(collection);
        JsonNode array = null;
        for (java.util.Iterator<String> names = root.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!name.equals(collection) && !name.equals(camel)) {
                throw new InvalidRequestException(name, "unknown field; the body is {\"" + collection + "\": [...]}");
            }
            array = root.get(name);
        }
        return array;
    }

    /** {@code model_versions} to {@code modelVersions}, as protobuf derives a field's JSON name. */
    static String lowerCamel(String snake) {
        StringBuilder out = new StringBuilder(snake.length());
        boolean upper = false;
        for (char c : snake.toCharArray()) {
            if (c == '_') {
                upper = true;
            } else {
                out.append(upper ? Character.toUpperCase(c) : c);
                upper = false;
            }
        }
        return out.toString();
    }

    /** The row's id when it is a usable string, for the error's {@code id}; else empty. */
    private static String idOf(JsonNode row) {
        for (String name : new String[]{"id", "frame_id", "frameId"}) {
            JsonNode id = row.get(name);
            if (id != null && id.isTextual() && dev.shoal.proto.Inputs.idProblem(id.textValue()) == null) {
                return id.textValue();
            }
        }
        return "";
    }

    /** Parser messages may quote what the caller sent: never echo more than a few hundred characters back. */
    static String shorten(String message) {
        return message == null || message.length() <= 300 ? message : message.substring(0, 297) + "...";
    }
}
