package dev.shoal.testkit;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import dev.shoal.proto.CloudEventHeaders;
import dev.shoal.proto.EventCodec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A Kafka record of Shoal as one JSON object for a person: where it is, its key, timestamp and headers, and its
 * payload decoded as the message its {@code ce_type} header names (else the one its topic holds), printed as
 * proto3-JSON with the {@code .proto} field names. A payload that does not decode is kept as base64 with the reason.
 */
final class RecordJson {

    private static final JsonFormat.Printer PRINTER = JsonFormat.printer().preservingProtoFieldNames()
            .omittingInsignificantWhitespace();

    private RecordJson() {
    }

    static JsonObject of(ConsumerRecord<byte[], byte[]> record) {
        JsonObject line = new JsonObject();
        line.addProperty("topic", record.topic());
        line.addProperty("partition", record.partition());
        line.addProperty("offset", record.offset());
        line.add("key", text(record.key(), line, "key_base64"));
        line.addProperty("timestamp", Instant.ofEpochMilli(record.timestamp()).toString());
        JsonObject headers = new JsonObject();
        for (Header h : record.headers()) {
            JsonElement value = text(h.value(), headers, h.key() + "_base64");
            JsonElement had = headers.get(h.key());
            if (had == null) {
                headers.add(h.key(), value);
            } else { // a repeated header: every value, in order
                JsonArray all = had.isJsonArray() ? had.getAsJsonArray() : single(had);
                all.add(value);
                headers.add(h.key(), all);
            }
        }
        line.add("headers", headers);
        payload(record, line);
        return line;
    }

    private static JsonArray single(JsonElement e) {
        JsonArray a = new JsonArray();
        a.add(e);
        return a;
    }

    private static void payload(ConsumerRecord<byte[], byte[]> record, JsonObject line) {
        byte[] value = record.value();
        String ceType = lastHeader(record, CloudEventHeaders.TYPE);
        Optional<Descriptor> type = ceType != null ? PayloadTypes.byName(ceType) : PayloadTypes.forTopic(record.topic());
        if (type.isPresent()) {
            line.addProperty("type", type.get().getFullName());
        }
        if (value == null) {
            line.add("payload", JsonNull.INSTANCE);
            return;
        }
        if (type.isEmpty()) {
            undecoded(line, value, ceType != null
                    ? "ce_type '" + ceType + "' names no message of the Shoal contract"
                    : "no ce_type header, and " + record.topic() + " is not a topic of the Shoal contract");
            return;
        }
        String contentType = lastHeader(record, CloudEventHeaders.CONTENT_TYPE);
        boolean json = EventCodec.isJson(contentType, value);
        DynamicMessage message;
        try {
            message = json ? fromJson(type.get(), new String(value, StandardCharsets.UTF_8))
                    : DynamicMessage.parseFrom(type.get(), value);
        } catch (InvalidProtocolBufferException e) {
            undecoded(line, value, "not a " + (json ? "proto3-JSON " : "binary ") + type.get().getName() + ": " + e.getMessage());
            return;
        }
        line.add("payload", JsonParser.parseString(print(message)));
        List<String> unknown = unknownFields(message, "");
        if (!unknown.isEmpty()) { // the printer leaves them out: the bytes keep them
            line.addProperty("payload_base64", Base64.getEncoder().encodeToString(value));
            line.addProperty("payload_error", "field number(s) unknown to " + type.get().getFullName() + ": "
                    + String.join(", ", unknown) + " (a newer producer, or not this type); the whole payload is in payload_base64");
        }
    }

    private static void undecoded(JsonObject line, byte[] value, String reason) {
        line.addProperty("payload_base64", Base64.getEncoder().encodeToString(value));
        line.addProperty("payload_error", reason);
    }

    /** Parses proto3-JSON as {@code type} the way Shoal's consumers do: unknown fields are refused, naming them. */
    static DynamicMessage fromJson(Descriptor type, String json) throws InvalidProtocolBufferException {
        DynamicMessage.Builder b = DynamicMessage.newBuilder(type);
        try {
            JsonFormat.parser().merge(json, b);
        } catch (RuntimeException e) { // Gson's own exceptions for text that is not JSON at all
            throw new InvalidProtocolBufferException(e.getMessage());
        }
        return b.build();
    }

    static String print(Message message) {
        try {
            return PRINTER.print(message);
        } catch (InvalidProtocolBufferException e) { // only for Any fields of unknown types, which Shoal has none of
            throw new IllegalStateException(e);
        }
    }

    /** The paths of fields the message's type does not know, e.g. {@code 9} or {@code frame.12}, depth first. */
    static List<String> unknownFields(Message message, String prefix) {
        List<String> out = new ArrayList<>();
        message.getUnknownFields().asMap().keySet().forEach(n -> out.add(prefix + n));
        for (Map.Entry<FieldDescriptor, Object> f : message.getAllFields().entrySet()) {
            if (f.getKey().getJavaType() != FieldDescriptor.JavaType.MESSAGE) {
                continue;
            }
            String path = prefix + f.getKey().getName();
            if (f.getKey().isRepeated()) {
                List<?> items = (List<?>) f.getValue();
                for (int i = 0; i < items.size(); i++) {
                    out.addAll(unknownFields((Message) items.get(i), path + "[" + i + "]."));
                }
            } else {
                out.addAll(unknownFields((Message) f.getValue(), path + "."));
            }
        }
        return out;
    }

    private static String lastHeader(ConsumerRecord<?, ?> record, String name) {
        Header h = record.headers().lastHeader(name);
        return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    /** UTF-8 text as a JSON string; bytes that are not UTF-8 go to {@code rawField} of {@code owner} as base64. */
    private static JsonElement text(byte[] bytes, JsonObject owner, String rawField) {
        if (bytes == null) {
            return JsonNull.INSTANCE;
        }
        try {
            return new JsonPrimitive(StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString());
        } catch (CharacterCodingException e) {
            owner.addProperty(rawField, Base64.getEncoder().encodeToString(bytes));
            return JsonNull.INSTANCE;
        }
    }
}
