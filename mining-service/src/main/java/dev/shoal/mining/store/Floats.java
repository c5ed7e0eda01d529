package dev.shoal.mining.store;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/** float32 vectors as little-endian bytes (the bytea columns). */
public final class Floats {
    private Floats() {
    }

    public static byte[] toBytes(List<Float> values) {
        ByteBuffer buf = ByteBuffer.allocate(values.size() * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (Float v : values) {
            buf.putFloat(v);
        }
        return buf.array();
    }

    public static byte[] toBytes(float[] values) {
        ByteBuffer buf = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            buf.putFloat(v);
        }
        return buf.array();
    }

    public static float[] fromBytes(byte[] bytes) {
        if (bytes == null) {
            return null;
        }
        float[] out = new float[bytes.length / 4];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
        return out;
    }
}
