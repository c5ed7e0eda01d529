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
}
