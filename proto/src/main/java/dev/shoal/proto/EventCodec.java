package dev.shoal.proto;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;

/** Decoding of the binary protobuf payloads of Shoal's Kafka records, with one error wording for every consumer. */
public final class EventCodec {

    private EventCodec() {
    }

    /**
     * Parses {@code payload} as the message type of {@code prototype} (e.g. {@code FrameUpserted.getDefaultInstance()}).
     *
     * @throws IllegalArgumentException naming the expected type when the bytes are not such a message
     */
    @SuppressWarnings("unchecked")
    public static <T extends Message> T parse(T prototype, byte[] payload) {
        try {
            return (T) prototype.getParserForType().parseFrom(payload == null ? new byte[0] : payload);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalArgumentException("not a binary " + prototype.getDescriptorForType().getName()
                    + " protobuf: " + e.getMessage(), e);
        }
    }

    /**
     * Whether a record's payload is proto3-JSON rather than binary protobuf: its {@code content-type} header
     * ({@link CloudEventHeaders#CONTENT_TYPE}) names JSON, or, without that header, the payload starts with '{' after
     * blanks (a binary message starts with a field tag, and '{' would be field 15 as a group, which Shoal never uses).
     */
    public static boolean isJson(String contentType, byte[] payload) {
        if (contentType != null) {
            return contentType.contains("json");
        }
        for (byte b : payload == null ? new byte[0] : payload) {
            if (b == ' ' || b == '\n' || b == '\r' || b == '\t') {
                continue;
            }
            return b == '{';
        }
        return false;
    }
}
