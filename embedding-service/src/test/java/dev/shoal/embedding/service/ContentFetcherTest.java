package dev.shoal.embedding.service;

import com.sun.net.httpserver.HttpServer;
import dev.shoal.embedding.domain.EmbeddingException;
import dev.shoal.embedding.domain.FrameContent;
import dev.shoal.proto.ingest.v1.Modality;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ContentFetcherTest {

    static HttpServer server;
    static String base;
    static byte[] png;

    @BeforeAll
    static void serve() throws IOException {
        png = png(8, 6);
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/img.png", ex -> {
            ex.sendResponseHeaders(200, png.length);
            ex.getResponseBody().write(png);
            ex.close();
        });
        server.createContext("/big", ex -> {
            ex.sendResponseHeaders(200, 0);
            byte[] chunk = new byte[8192];
            for (int i = 0; i < 64; i++) {
                ex.getResponseBody().write(chunk);
            }
            ex.close();
        });
        server.createContext("/slow", ex -> {
            try {
                Thread.sleep(3000);
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
            ex.sendResponseHeaders(200, 2);
            ex.getResponseBody().write("ok".getBytes(StandardCharsets.UTF_8));
            ex.close();
        });
        server.createContext("/redirect-to-own-address", ex -> {
            ex.getResponseHeaders().add("Location", "http://" + literal(ownAddress()) + ":" + server.getAddress().getPort()
                    + "/img.png");
            ex.sendResponseHeaders(302, -1);
            ex.close();
        });
        server.createContext("/redirect-to-metadata", ex -> {
            ex.getResponseHeaders().add("Location", "http://169.254.169.254/latest/meta-data/");
            ex.sendResponseHeaders(302, -1);
            ex.close();
        });
        server.start();
        base = "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterAll
    static void stop() {
        server.stop(0);
    }

    static byte[] png(int w, int h) throws IOException {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        img.setRGB(1, 1, 0xff0000);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }

    @Test
    void loopback_http_is_refused_by_default_with_the_setting_that_allows_it() {
        ContentFetcher fetcher = new ContentFetcher(FetchPolicy.defaults());
        EmbeddingException e = assertThrows(EmbeddingException.class, () -> fetcher.fetch(base + "/img.png", Modality.MODALITY_IMAGE));
        assertTrue(e.getMessage().contains("loopback"), e.getMessage());
        assertTrue(e.getMessage().contains("allow-loopback"), e.getMessage());
        assertThrows(EmbeddingException.class, () -> fetcher.fetchBytes("http://localhost:1/x"));
    }

    @Test
    void loopback_http_allowed_explicitly_fetches_and_decodes_a_png() {
        ContentFetcher fetcher = new ContentFetcher(FetchPolicy.defaults().withLoopbackAllowed());
        FrameContent c = fetcher.fetch(base + "/img.png", Modality.MODALITY_IMAGE);
        BufferedImage img = assertInstanceOf(FrameContent.Image.class, c).image();
        assertEquals(8, img.getWidth());
        assertEquals(6, img.getHeight());
    }

    @Test
    void metadata_and_link_local_addresses_are_refused_even_through_a_redirect() {
        ContentFetcher fetcher = new ContentFetcher(FetchPolicy.defaults().withLoopbackAllowed());
        EmbeddingException direct = assertThrows(EmbeddingException.class,
                () -> fetcher.fetchBytes("http://169.254.169.254/latest/meta-data/"));
        assertTrue(direct.getMessage().contains("metadata"), direct.getMessage());
        EmbeddingException redirected = assertThrows(EmbeddingException.class,
                () -> fetcher.fetchBytes(base + "/redirect-to-metadata"));
        assertTrue(redirected.getMessage().contains("metadata"), redirected.getMessage());
        assertNotNull(FetchPolicy.defaults().refuseAddress(InetAddress.getLoopbackAddress()));
    }

    @Test
    void private_and_link_local_ranges_are_refused_unless_allowed() throws Exception {
        FetchPolicy p = FetchPolicy.defaults();
        assertTrue(p.refuseAddress(InetAddress.getByName("10.1.2.3")).contains("private"));
        assertTrue(p.refuseAddress(InetAddress.getByName("192.168.0.1")).contains("private"));
        assertTrue(p.refuseAddress(InetAddress.getByName("169.254.1.1")).contains("link-local"));
        assertTrue(p.refuseAddress(InetAddress.getByName("fe80::1")).contains("link-local"));
        assertTrue(p.refuseAddress(InetAddress.getByName("0.0.0.0")).contains("not a unicast"));
        assertNull(p.refuseAddress(InetAddress.getByName("93.184.216.34")));
    }

    @Test
    void content_over_the_size_limit_is_refused() {
        ContentFetcher fetcher = new ContentFetcher(FetchPolicy.defaults().withLoopbackAllowed().withMaxBytes(100_000));
        EmbeddingException e = assertThrows(EmbeddingException.class, () -> fetcher.fetchBytes(base + "/big"));
        assertTrue(e.getMessage().contains("exceeds the limit"), e.getMessage());
    }

    @Test
    void a_slow_server_times_out() {
        ContentFetcher fetcher = new ContentFetcher(FetchPolicy.defaults().withLoopbackAllowed()
                .withReadTimeout(Duration.ofMillis(300)));
        EmbeddingException e = assertThrows(EmbeddingException.class, () -> fetcher.fetchBytes(base + "/slow"));
        assertTrue(e.getMessage().contains("timed out"), e.getMessage());
    }

    @Test
    void missing_resources_and_unknown_schemes_say_why() {
        ContentFetcher fetcher = new ContentFetcher(FetchPolicy.defaults().withLoopbackAllowed());
        assertTrue(assertThrows(EmbeddingException.class, () -> fetcher.fetchBytes(base + "/nope")).getMessage().contains("HTTP 404"));
        assertTrue(assertThrows(EmbeddingException.class, () -> fetcher.fetchBytes("s3://bucket/key")).getMessage().contains("unsupported URI scheme"));
    }

    @Test
    void data_uris_decode_base64_images_and_plain_text() {
        ContentFetcher fetcher = new ContentFetcher(FetchPolicy.defaults());
        FrameContent img = fetcher.fetch("data:image/png;base64," + Base64.getEncoder().encodeToString(png), Modality.MODALITY_UNSPECIFIED);
        assertInstanceOf(FrameContent.Image.class, img);
        FrameContent text = fetcher.fetch("data:text/plain,hello%20world", Modality.MODALITY_TEXT);
        assertEquals("hello world", assertInstanceOf(FrameContent.Text.class, text).text());
    }

    @Test
    void files_under_a_root_are_read_and_corrupt_images_and_invalid_utf8_are_refused(@TempDir Path dir) throws IOException {
        ContentFetcher fetcher = new ContentFetcher(FetchPolicy.defaults().withFileRoots(dir));
        Path text = Files.writeString(dir.resolve("a.txt"), "grüße");
        assertEquals("grüße", ((FrameContent.Text) fetcher.fetch(text.toUri().toString(), Modality.MODALITY_TEXT)).text());
        Path corrupt = Files.write(dir.resolve("bad.png"), new byte[]{(byte) 0x89, 'P', 'N', 'G', 1, 2, 3});
        EmbeddingException e = assertThrows(EmbeddingException.class, () -> fetcher.fetch(corrupt.toUri().toString(), Modality.MODALITY_IMAGE));
        assertTrue(e.getMessage().contains("image"), e.getMessage());
        Path latin1 = Files.write(dir.resolve("l1.txt"), new byte[]{'a', (byte) 0xe9, 'b'});
        assertTrue(assertThrows(EmbeddingException.class, () -> fetcher.fetch(latin1.toUri().toString(), Modality.MODALITY_TEXT))
                .getMessage().contains("UTF-8"));
    }

    @Test
    void file_uris_are_refused_when_no_root_is_configured(@TempDir Path dir) throws IOException {
        Path text = Files.writeString(dir.resolve("a.txt"), "hello");
        EmbeddingException e = assertThrows(EmbeddingException.class,
                () -> new ContentFetcher(FetchPolicy.defaults()).fetchBytes(text.toUri().toString()));
        assertTrue(e.getMessage().contains("no file roots"), e.getMessage());
    }

    @Test
    void a_file_outside_the_roots_gets_the_same_reason_whether_it_exists_or_not(@TempDir Path root) {
        ContentFetcher fetcher = new ContentFetcher(FetchPolicy.defaults().withFileRoots(root));
        String existing = reason(fetcher, "file:///etc/passwd");
        String missing = reason(fetcher, "file:///etc/no-such-file-" + System.nanoTime());
        String escaping = reason(fetcher, root.toUri() + "../../etc/passwd");
        assertEquals(ContentFetcher.OUTSIDE_ROOTS, existing);
        assertEquals(existing, missing);
        assertEquals(existing, escaping);
        assertEquals(ContentFetcher.OUTSIDE_ROOTS, reason(fetcher, "file:///dev/zero"), "a device outside the roots");
    }

    @Test
    void a_link_inside_a_root_that_points_outside_is_refused_whether_its_target_exists_or_not(@TempDir Path dir)
            throws IOException {
        Path root = Files.createDirectory(dir.resolve("root"));
        Path outside = Files.writeString(dir.resolve("secret.txt"), "secret");
        Files.createSymbolicLink(root.resolve("to-file.txt"), outside);
        Files.createSymbolicLink(root.resolve("to-missing.txt"), dir.resolve("missing.txt"));
        Files.createSymbolicLink(root.resolve("to-dir"), dir);
        ContentFetcher fetcher = new ContentFetcher(FetchPolicy.defaults().withFileRoots(root));
        assertEquals(ContentFetcher.OUTSIDE_ROOTS, reason(fetcher, root.resolve("to-file.txt").toUri().toString()));
        assertEquals(ContentFetcher.OUTSIDE_ROOTS, reason(fetcher, root.resolve("to-missing.txt").toUri().toString()));
        assertEquals(ContentFetcher.OUTSIDE_ROOTS, reason(fetcher, root.resolve("to-dir/secret.txt").toUri().toString()));
        assertEquals(ContentFetcher.OUTSIDE_ROOTS, reason(fetcher, root.resolve("to-dir/missing.txt").toUri().toString()));
        Path inside = Files.writeString(root.resolve("inside.txt"), "inside");
        Files.createSymbolicLink(root.resolve("to-inside.txt"), inside);
        assertEquals("inside", new String(fetcher.fetchBytes(root.resolve("to-inside.txt").toUri().toString()),
                StandardCharsets.UTF_8), "a link that stays inside the root is followed");
        assertTrue(reason(fetcher, root.resolve("nope.png").toUri().toString()).contains("not found"),
                "a missing file inside a root is reported as such");
    }

    @Test
    void devices_fifos_and_directories_are_refused_without_reading(@TempDir Path root) throws Exception {
        Path fifo = root.resolve("pipe");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start().waitFor());
        ContentFetcher fetcher = new ContentFetcher(FetchPolicy.defaults().withFileRoots(root, Path.of("/dev")));
        // opening a FIFO with no writer would block forever, reading /dev/zero would never end: both refused at once
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
            assertTrue(reason(fetcher, fifo.toUri().toString()).contains("not a regular file"));
            assertTrue(reason(fetcher, "file:///dev/zero").contains("not a regular file"));
            assertTrue(reason(fetcher, "file:///dev/urandom").contains("not a regular file"));
            assertTrue(reason(fetcher, root.toUri().toString()).contains("not a regular file"));
        });
    }

    @Test
    void a_file_over_the_limit_is_refused_without_its_size(@TempDir Path root) throws IOException {
        Path big = Files.write(root.resolve("big.bin"), new byte[300_000]);
        ContentFetcher fetcher = new ContentFetcher(FetchPolicy.defaults().withFileRoots(root).withMaxBytes(100_000));
        String why = reason(fetcher, big.toUri().toString());
        assertTrue(why.contains("exceeds the limit of 100000"), why);
        assertFalse(why.contains("300000"), why);
    }

    @Test
    void an_endless_stream_is_read_only_to_the_limit() {
        AtomicLong served = new AtomicLong();
        InputStream endless = new InputStream() {
            @Override
            public int read() {
                served.incrementAndGet();
                return 0;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                served.addAndGet(len);
                return len;
            }
        };
        EmbeddingException e = assertThrows(EmbeddingException.class,
                () -> ContentFetcher.readLimited("endless", endless, 1_000_000));
        assertTrue(e.getMessage().contains("exceeds the limit"), e.getMessage());
        assertTrue(served.get() <= 1_000_000 + 64 * 1024, "read " + served.get() + " bytes");
    }

    @Test
    void the_hosts_own_addresses_are_refused_whatever_the_flags_say() throws Exception {
        FetchPolicy open = new FetchPolicy(1 << 20, Duration.ofSeconds(2), Duration.ofSeconds(2), false, true, true,
                Set.of(), List.of());
        InetAddress own = ownAddress();
        String why = open.refuseAddress(own);
        assertNotNull(why, own + " is this host's");
        assertTrue(why.contains("address of this host"), why);
        EmbeddingException e = assertThrows(EmbeddingException.class,
                () -> new ContentFetcher(open).fetchBytes("http://" + literal(own) + ":" + server.getAddress().getPort() + "/img.png"));
        assertTrue(e.getMessage().contains("address of this host"), e.getMessage());
    }

    @Test
    void a_redirect_to_the_hosts_own_address_is_refused() {
        ContentFetcher fetcher = new ContentFetcher(new FetchPolicy(1 << 20, Duration.ofSeconds(2), Duration.ofSeconds(2),
                true, true, true, Set.of(), List.of()));
        EmbeddingException e = assertThrows(EmbeddingException.class, () -> fetcher.fetchBytes(base + "/redirect-to-own-address"));
        assertTrue(e.getMessage().contains("address of this host"), e.getMessage());
    }

    /** A non-loopback address of one of this host's interfaces (the test needs the machine to have one). */
    static InetAddress ownAddress() throws SocketException {
        for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            for (InetAddress a : Collections.list(ni.getInetAddresses())) {
                if (!a.isLoopbackAddress() && !a.isLinkLocalAddress()) {
                    return a;
                }
            }
        }
        throw new IllegalStateException("this host has no non-loopback address");
    }

    static String literal(InetAddress a) {
        return a instanceof Inet6Address ? "[" + a.getHostAddress() + "]" : a.getHostAddress();
    }

    private static String reason(ContentFetcher fetcher, String uri) {
        return assertThrows(EmbeddingException.class, () -> fetcher.fetchBytes(uri)).getMessage();
    }
}
