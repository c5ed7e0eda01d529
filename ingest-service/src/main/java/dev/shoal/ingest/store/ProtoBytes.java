package dev.shoal.ingest.store;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.MessageLite;

import java.io.IOException;
import java.io.UncheckedIOException;

/** Deterministic protobuf bytes (map fields sorted), so equal content always gives equal bytes. */
public final class ProtoBytes {
    private ProtoBytes() {
    }

    public static byte[] of(MessageLite message) {
        byte[] out = new byte[message.getSerializedSize()];
        CodedOutputStream cos = CodedOutputStream.newInstance(out);
        cos.useDeterministicSerialization();
        try {
            message.writeTo(cos);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        cos.checkNoSpaceLeft();
        return out;
    }
}
