package dev.shoal.algorithms.bench;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes arrays as NumPy {@code .npy} files, format version 1.0 (numpy.lib.format, NEP 1): the magic
 * {@code \x93NUMPY}, version bytes 1 0, a little-endian uint16 header length, an ASCII Python dict
 * {@code {'descr': ..., 'fortran_order': False, 'shape': (...), }} padded with spaces and ended by a newline so the
 * data starts at a multiple of 64 bytes, then the data in C order, little-endian. {@code numpy.load} reads them.
 */
public final class NpyFiles {
    private NpyFiles() {
    }

    /** int32 vector ({@code <i4}). */
    public static void writeInt32(Path file, int[] values) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int v : values) b.putInt(v);
        write(file, "<i4", "(" + values.length + ",)", b.array());
    }

    /** float32 vector ({@code <f4}). */
    public static void writeFloat32(Path file, double[] values) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (double v : values) b.putFloat((float) v);
        write(file, "<f4", "(" + values.length + ",)", b.array());
    }

    /** float64 matrix ({@code <f8}, rows × columns, row-major): exactly the doubles the caller holds. */
    public static void writeFloat64(Path file, double[][] rows) throws IOException {
        int cols = rows.length == 0 ? 0 : rows[0].length;
        ByteBuffer b = ByteBuffer.allocate(8 * rows.length * cols).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < rows.length; i++) {
            if (rows[i].length != cols) {
                throw new IllegalArgumentException("row " + i + " has " + rows[i].length + " columns, expected " + cols);
            }
            for (double v : rows[i]) b.putDouble(v);
        }
        write(file, "<f8", "(" + rows.length + ", " + cols + ")", b.array());
    }

    /** The header bytes (magic through the newline) for a dtype and a shape tuple literal. */
    static byte[] header(String descr, String shape) {
        String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
        int unpadded = 6 + 2 + 2 + dict.length() + 1;
        int pad = (64 - unpadded % 64) % 64;
        String text = dict + " ".repeat(pad) + "\n";
        if (text.length() > 65535) throw new IllegalArgumentException("header too long for NPY 1.0");
        ByteBuffer b = ByteBuffer.allocate(10 + text.length()).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 0);
        b.putShort((short) text.length());
        b.put(text.getBytes(StandardCharsets.US_ASCII));
        return b.array();
    }

    private static void write(Path file, String descr, String shape, byte[] data) throws IOException {
        try (OutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file)))) {
            out.write(header(descr, shape));
            out.write(data);
        }
    }
}
