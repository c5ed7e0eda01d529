package dev.shoal.embedding.service;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes a tiny TorchScript module for tests, with no Python: the archive that {@code torch.jit.save} writes (a zip
 * of the module's TorchScript source under {@code code/}, its pickled object in {@code data.pkl}, its constants and
 * the format version), put together by hand. The module is {@code forward(x) = torch.flatten(x, 1)}: for an image
 * model that is the preprocessed image itself, a known answer.
 */
final class TinyTorchScript {

    private static final String CODE = """
            class Tiny(Module):
              __parameters__ = []
              __buffers__ = []
              training : bool
              def forward(self: __torch__.Tiny,
                x: Tensor) -> Tensor:
                return torch.flatten(x, 1)
            """;

    private TinyTorchScript() {
    }

    static Path writeFlatten(Path file) throws IOException {
        try (OutputStream out = Files.newOutputStream(file); ZipOutputStream zip = new ZipOutputStream(out)) {
            stored(zip, "tiny/data.pkl", modulePickle());
            stored(zip, "tiny/code/__torch__.py", CODE.getBytes(StandardCharsets.UTF_8));
            stored(zip, "tiny/constants.pkl", new byte[]{(byte) 0x80, 2, ')', '.'}); // protocol 2, (), stop
            stored(zip, "tiny/version", "3\n".getBytes(StandardCharsets.US_ASCII));
            stored(zip, "tiny/.data/version", "3\n".getBytes(StandardCharsets.US_ASCII));
            stored(zip, "tiny/byteorder", "little".getBytes(StandardCharsets.US_ASCII));
        }
        return file;
    }

    /**
     * The module object as TorchScript's pickler writes one (protocol 2): the class as a global, an empty tuple,
     * NEWOBJ, then its attributes as a dict applied with BUILD. Its one attribute is {@code training = False}.
     */
    private static byte[] modulePickle() {
        ByteArrayOutputStream p = new ByteArrayOutputStream();
        p.write(0x80); // PROTO
        p.write(2);
        p.writeBytes("c__torch__\nTiny\n".getBytes(StandardCharsets.US_ASCII)); // GLOBAL
        p.write(')'); // EMPTY_TUPLE
        p.write(0x81); // NEWOBJ
        p.write('}'); // EMPTY_DICT
        p.write('('); // MARK
        byte[] name = "training".getBytes(StandardCharsets.UTF_8);
        p.write('X'); // BINUNICODE, 4-byte little-endian length
        p.write(name.length);
        p.write(0);
        p.write(0);
        p.write(0);
        p.writeBytes(name);
        p.write(0x89); // NEWFALSE
        p.write('u'); // SETITEMS
        p.write('b'); // BUILD
        p.write('.'); // STOP
        return p.toByteArray();
    }

    private static void stored(ZipOutputStream zip, String name, byte[] data) throws IOException {
        ZipEntry e = new ZipEntry(name);
        e.setMethod(ZipEntry.STORED);
        e.setSize(data.length);
        e.setCompressedSize(data.length);
        CRC32 crc = new CRC32();
        crc.update(data);
        e.setCrc(crc.getValue());
        zip.putNextEntry(e);
        zip.write(data);
        zip.closeEntry();
    }
}
