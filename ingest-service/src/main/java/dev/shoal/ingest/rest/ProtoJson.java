package dev.shoal.ingest.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.util.JsonFormat;
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
 * is reported with its index and does not sink the others.
 */
public final class ProtoJson {

    private static final ObjectMapper MAPPER = new ObjectMapper();
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
        try {
            PARSER.merge(json, builder);
        } catch (InvalidProtocolBufferException e) {
            throw new InvalidRequestException(what + ": " + e.getMessage());
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
     * Reads {@code {"<collection>": [ ... ]}} (or a bare array) into messages. A row that does not parse becomes
     * a row error; {@code defaultDataset} fills rows with no dataset_id when the URL names the dataset.
     */
    public static <T extends Message> Rows<T> rows(String body, String collection, Supplier<Message.Builder> builders) {
        JsonNode root = tree(body);
        JsonNode array = root.isArray() ? root : root.get(collection);
        if (array == null || !array.isArray()) {
            throw new InvalidRequestException("expected a JSON object with an array field '" + collection + "' (or a bare array)");
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
                PARSER.merge(element.toString(), b);
                @SuppressWarnings("unchecked")
                T row = (T) b.build();
                rows.add(row);
                positions.add(i);
            } catch (InvalidProtocolBufferException e) {
                errors.add(RowError.newBuilder().setIndex(i).setField(collection + "[" + i + "]")
                        .setMessage("malformed row: " + e.getMessage()).build());
            }
        }
        return new Rows<>(rows, positions, errors);
    }
}
