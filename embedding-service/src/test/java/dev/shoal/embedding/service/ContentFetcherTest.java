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
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
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
        assertTrue(assertThrows(EmbeddingException.class, () -> fetcher.fetchBytes("file:///no/such/file.png")).getMessage().contains("not found"));
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
    void files_are_read_and_corrupt_images_and_invalid_utf8_are_refused(@TempDir Path dir) throws IOException {
        ContentFetcher fetcher = new ContentFetcher(FetchPolicy.defaults());
        Path text = Files.writeString(dir.resolve("a.txt"), "grüße");
        assertEquals("grüße", ((FrameContent.Text) fetcher.fetch(text.toUri().toString(), Modality.MODALITY_TEXT)).text());
        Path corrupt = Files.write(dir.resolve("bad.png"), new byte[]{(byte) 0x89, 'P', 'N', 'G', 1, 2, 3});
        EmbeddingException e = assertThrows(EmbeddingException.class, () -> fetcher.fetch(corrupt.toUri().toString(), Modality.MODALITY_IMAGE));
        assertTrue(e.getMessage().contains("image"), e.getMessage());
        Path latin1 = Files.write(dir.resolve("l1.txt"), new byte[]{'a', (byte) 0xe9, 'b'});
        assertTrue(assertThrows(EmbeddingException.class, () -> fetcher.fetch(latin1.toUri().toString(), Modality.MODALITY_TEXT))
                .getMessage().contains("UTF-8"));
    }
}
