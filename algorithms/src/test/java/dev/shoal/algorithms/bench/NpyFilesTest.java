package dev.shoal.algorithms.bench;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;

class NpyFilesTest {

    @Test
    void aFloat64MatrixIsMagicVersionPaddedHeaderThenLittleEndianRows(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("p.npy");
        NpyFiles.writeFloat64(f, new double[][] {{0.25, 0.75}, {1.0, 0.0}, {0.5, 0.5}});
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(f)).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals((byte) 0x93, b.get(0));
        assertEquals("NUMPY", new String(b.array(), 1, 5, StandardCharsets.US_ASCII));
        assertEquals(1, b.get(6));
        assertEquals(0, b.get(7));
        int headerLen = b.getShort(8) & 0xffff;
        assertEquals(0, (10 + headerLen) % 64, "data starts on a 64-byte boundary");
        String header = new String(b.array(), 10, headerLen, StandardCharsets.US_ASCII);
        assertEquals("{'descr': '<f8', 'fortran_order': False, 'shape': (3, 2), }", header.strip());
        assertEquals('\n', header.charAt(header.length() - 1));
        assertEquals(10 + headerLen + 6 * 8, b.capacity());
        assertEquals(0.75, b.getDouble(10 + headerLen + 8));
        assertEquals(0.5, b.getDouble(10 + headerLen + 5 * 8));
    }

    @Test
    void anInt32VectorHasAOneTupleShape(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("l.npy");
        NpyFiles.writeInt32(f, new int[] {3, -1, 7});
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(f)).order(ByteOrder.LITTLE_ENDIAN);
        int headerLen = b.getShort(8) & 0xffff;
        assertEquals("{'descr': '<i4', 'fortran_order': False, 'shape': (3,), }",
                new String(b.array(), 10, headerLen, StandardCharsets.US_ASCII).strip());
        assertEquals(-1, b.getInt(10 + headerLen + 4));
        assertEquals(7, b.getInt(10 + headerLen + 8));
    }
}
