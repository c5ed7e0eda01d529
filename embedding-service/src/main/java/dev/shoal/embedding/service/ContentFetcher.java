package dev.shoal.embedding.service;

import dev.shoal.embedding.domain.EmbeddingException;
import dev.shoal.embedding.domain.FrameContent;
import dev.shoal.proto.ingest.v1.Modality;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Locale;

/**
 * Fetches a frame's content by URI ({@code file://}, {@code http(s)://}, {@code data:}) within a {@link FetchPolicy},
 * and decodes it: PNG/JPEG (and whatever else {@code javax.imageio} reads) into an image, or strict UTF-8 into text.
 * Every failure is an {@link EmbeddingException} whose message says what went wrong with which URI.
 *
 * <p>HTTP redirects are followed by hand (at most {@value #MAX_REDIRECTS}) so each hop passes the deny-list again.
 * The host is resolved and checked before connecting; a DNS answer that changes between the check and the connect
 * (rebinding) is not caught here: deployments that need that guarantee add an egress proxy.
 */
public final class ContentFetcher {

    static final int MAX_REDIRECTS = 3;

    private final FetchPolicy policy;
    private final HttpClient http;

    public ContentFetcher(FetchPolicy policy) {
        this.policy = policy;
        this.http = HttpClient.newBuilder()
                .connectTimeout(policy.connectTimeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    public FetchPolicy policy() {
        return policy;
    }

    /** Fetches and decodes; {@code modality} UNSPECIFIED means "image if it decodes as one, else UTF-8 text". */
    public FrameContent fetch(String uri, Modality modality) {
        byte[] bytes = fetchBytes(uri);
        return decode(uri, bytes, modality);
    }

    public byte[] fetchBytes(String uriText) {
        if (uriText == null || uriText.isBlank()) {
            throw new EmbeddingException(uriText, "frame has no URI");
        }
        if (uriText.regionMatches(true, 0, "data:", 0, 5)) {
            return dataUri(uriText);
        }
        URI uri;
        try {
            uri = URI.create(uriText);
        } catch (IllegalArgumentException e) {
            throw new EmbeddingException(uriText, "malformed URI: " + e.getMessage());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        return switch (scheme) {
            case "file" -> file(uriText, uri);
            case "http", "https" -> http(uriText, uri, 0);
            default -> throw new EmbeddingException(uriText, "unsupported URI scheme '" + scheme
                    + "' (supported: file, http, https, data)");
        };
    }

    public static FrameContent decode(String uri, byte[] bytes, Modality modality) {
        if (modality == Modality.MODALITY_TEXT) {
            return new FrameContent.Text(utf8(uri, bytes));
        }
        BufferedImage image = null;
        try {
            image = ImageIO.read(new ByteArrayInputStream(bytes));
        } catch (IOException | RuntimeException e) {
            if (modality == Modality.MODALITY_IMAGE) {
                throw new EmbeddingException(uri, "corrupt image (" + bytes.length + " bytes): " + e.getMessage(), e);
            }
        }
        if (image != null) {
            return new FrameContent.Image(image);
        }
        if (modality == Modality.MODALITY_IMAGE) {
            throw new EmbeddingException(uri, "not a decodable image (" + bytes.length + " bytes; PNG or JPEG expected)");
        }
        return new FrameContent.Text(utf8(uri, bytes));
    }

    static String utf8(String uri, byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new EmbeddingException(uri, "text is not valid UTF-8: " + e.getMessage());
        }
    }

    private byte[] dataUri(String uri) {
        int comma = uri.indexOf(',');
        if (comma < 0) {
            throw new EmbeddingException(abbreviate(uri), "malformed data: URI (no comma)");
        }
        String meta = uri.substring(5, comma);
        String payload = uri.substring(comma + 1);
        byte[] bytes;
        try {
            bytes = meta.toLowerCase(Locale.ROOT).endsWith(";base64")
                    ? Base64.getMimeDecoder().decode(payload)
                    : URLDecoder.decode(payload.replace("+", "%2B"), StandardCharsets.UTF_8).getBytes(StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new EmbeddingException(abbreviate(uri), "malformed data: URI payload: " + e.getMessage());
        }
        if (bytes.length > policy.maxBytes()) {
            throw new EmbeddingException(abbreviate(uri), "content of " + bytes.length + " bytes exceeds the limit of "
                    + policy.maxBytes());
        }
        return bytes;
    }

    private byte[] file(String uriText, URI uri) {
        if (!policy.allowFile()) {
            throw new EmbeddingException(uriText, "file:// URIs are disabled (shoal.embedding.fetch.allow-file=false)");
        }
        Path path;
        try {
            path = Path.of(uri).toAbsolutePath().normalize();
        } catch (RuntimeException e) {
            throw new EmbeddingException(uriText, "malformed file URI: " + e.getMessage());
        }
        if (!policy.fileRoots().isEmpty() && policy.fileRoots().stream().noneMatch(path::startsWith)) {
            throw new EmbeddingException(uriText, "file " + path + " is outside the allowed roots " + policy.fileRoots());
        }
        try {
            long size = Files.size(path);
            if (size > policy.maxBytes()) {
                throw new EmbeddingException(uriText, "content of " + size + " bytes exceeds the limit of " + policy.maxBytes());
            }
            return Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            throw new EmbeddingException(uriText, "file not found: " + path);
        } catch (IOException e) {
            throw new EmbeddingException(uriText, "cannot read " + path + ": " + e, e);
        }
    }

    private byte[] http(String uriText, URI uri, int hop) {
        String host = uri.getHost();
        if (host == null || host.isEmpty()) {
            throw new EmbeddingException(uriText, "URI has no host");
        }
        String refused = policy.refuseHost(host);
        if (refused != null) {
            throw new EmbeddingException(uriText, "refused: " + refused);
        }
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(host);
        } catch (UnknownHostException e) {
            throw new EmbeddingException(uriText, "unreachable: unknown host " + host);
        }
        for (InetAddress a : addresses) {
            refused = policy.refuseAddress(a);
            if (refused != null) {
                throw new EmbeddingException(uriText, "refused: " + refused);
            }
        }
        HttpRequest request = HttpRequest.newBuilder(uri).GET().timeout(policy.readTimeout()).build();
        HttpResponse<InputStream> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (HttpTimeoutException e) {
            throw new EmbeddingException(uriText, "timed out after " + policy.readTimeout().toMillis() + " ms");
        } catch (IOException e) {
            throw new EmbeddingException(uriText, "unreachable: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EmbeddingException(uriText, "interrupted while fetching");
        }
        int status = response.statusCode();
        if (status >= 300 && status < 400) {
            closeQuietly(response.body());
            String location = response.headers().firstValue("location").orElse(null);
            if (location == null || hop >= MAX_REDIRECTS) {
                throw new EmbeddingException(uriText, "HTTP " + status + (location == null ? " without Location"
                        : " after " + MAX_REDIRECTS + " redirects"));
            }
            URI next = uri.resolve(location);
            String scheme = next.getScheme() == null ? "" : next.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https")) {
                throw new EmbeddingException(uriText, "redirect to unsupported scheme: " + next);
            }
            return http(next.toString(), next, hop + 1);
        }
        if (status != 200) {
            closeQuietly(response.body());
            throw new EmbeddingException(uriText, "HTTP " + status);
        }
        long declared = response.headers().firstValueAsLong("content-length").orElse(-1);
        if (declared > policy.maxBytes()) {
            closeQuietly(response.body());
            throw new EmbeddingException(uriText, "content of " + declared + " bytes exceeds the limit of " + policy.maxBytes());
        }
        try (InputStream in = response.body()) {
            return readLimited(uriText, in);
        } catch (IOException e) {
            throw new EmbeddingException(uriText, "read failed: " + e, e);
        }
    }

    private byte[] readLimited(String uri, InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[64 * 1024];
        long total = 0;
        int n;
        while ((n = in.read(buf)) > 0) {
            total += n;
            if (total > policy.maxBytes()) {
                throw new EmbeddingException(uri, "content exceeds the limit of " + policy.maxBytes() + " bytes");
            }
            out.write(buf, 0, n);
        }
        return out.toByteArray();
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException ignored) {
            // nothing to do
        }
    }

    private static String abbreviate(String uri) {
        return uri.length() <= 64 ? uri : uri.substring(0, 64) + "...";
    }
}
