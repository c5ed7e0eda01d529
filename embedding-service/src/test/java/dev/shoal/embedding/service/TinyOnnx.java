package dev.shoal.embedding.service;

import com.google.protobuf.CodedOutputStream;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes a tiny ONNX image model for tests, with no ONNX tooling: the protobuf messages of the ONNX format
 * (onnx/onnx.proto, IR version 7, opset 13) encoded by hand. Input {@code pixels} [N, C, H, W] float; outputs
 * {@code features} = Flatten(pixels) [N, C·H·W] and {@code pooled} = ReduceMean over H and W [N, C]: known answers
 * for the preprocessing, the choice of output and the batching.
 */
public final class TinyOnnx {

    private static final int FLOAT = 1; // TensorProto.DataType.FLOAT
    private static final int ATTRIBUTE_INT = 2; // AttributeProto.AttributeType.INT
    private static final int ATTRIBUTE_INTS = 7; // AttributeProto.AttributeType.INTS

    private TinyOnnx() {
    }

    public static Path writeFlattenAndPool(Path file, int channels, int height, int width) throws IOException {
        byte[] flatten = message(o -> {
            o.writeString(1, "pixels");
            o.writeString(2, "features");
            o.writeString(3, "flatten");
            o.writeString(4, "Flatten");
        });
        byte[] reduce = message(o -> {
            o.writeString(1, "pixels");
            o.writeString(2, "pooled");
            o.writeString(3, "pool");
            o.writeString(4, "ReduceMean");
            o.writeByteArray(5, message(a -> {
                a.writeString(1, "axes");
                a.writeInt64(8, 2);
                a.writeInt64(8, 3);
                a.writeEnum(20, ATTRIBUTE_INTS);
            }));
            o.writeByteArray(5, message(a -> {
                a.writeString(1, "keepdims");
                a.writeInt64(3, 0);
                a.writeEnum(20, ATTRIBUTE_INT);
            }));
        });
        byte[] graph = message(g -> {
            g.writeByteArray(1, flatten);
            g.writeByteArray(1, reduce);
            g.writeString(2, "tiny");
            g.writeByteArray(11, valueInfo("pixels", "N", channels, height, width));
            g.writeByteArray(12, valueInfo("features", "N", channels * height * width));
            g.writeByteArray(12, valueInfo("pooled", "N", channels));
        });
        byte[] model = message(m -> {
            m.writeInt64(1, 7);
            m.writeString(2, "shoal-tests");
            m.writeByteArray(7, graph);
            m.writeByteArray(8, message(op -> {
                op.writeString(1, "");
                op.writeInt64(2, 13);
            }));
        });
        Files.write(file, model);
        return file;
    }

    /** A float tensor whose first dimension is named {@code batch} and the others fixed. */
    private static byte[] valueInfo(String name, String batch, int... dims) throws IOException {
        byte[] shape = message(s -> {
            s.writeByteArray(1, message(d -> d.writeString(2, batch)));
            for (int dim : dims) {
                s.writeByteArray(1, message(d -> d.writeInt64(1, dim)));
            }
        });
        byte[] tensor = message(t -> {
            t.writeInt32(1, FLOAT);
            t.writeByteArray(2, shape);
        });
        return message(v -> {
            v.writeString(1, name);
            v.writeByteArray(2, message(type -> type.writeByteArray(1, tensor)));
        });
    }

    private interface Fields {
        void write(CodedOutputStream out) throws IOException;
    }

    private static byte[] message(Fields fields) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CodedOutputStream out = CodedOutputStream.newInstance(bytes);
        fields.write(out);
        out.flush();
        return bytes.toByteArray();
    }
}
