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
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Base64;
import java.util.Locale;

/**
 * Fetches a frame's content by URI ({@code file://}, {@code http(s)://}, {@code data:}) within a {@link FetchPolicy},
 * and decodes it: PNG/JPEG (and whatever else {@code javax.imageio} reads) into an image, or strict UTF-8 into text.
 * Every failure is an {@link EmbeddingException} whose message says what went wrong with which URI.
 *
 * <p>{@code file:} URIs are read only under the policy's roots (see {@link #file}).
 * HTTP redirects are followed by hand (at most {@value #MAX_REDIRECTS}) so each hop passes the deny-list again.
 * The host is resolved and checked before connecting; a DNS answer that changes between the check and the connect
 * (rebinding) is not caught here: deployments that need that guarantee add an egress proxy.
 */
public final class ContentFetcher {

    static final int MAX_REDIRECTS = 3;

    /** The one reason for a {@code file:} URI outside the roots, whether or not something exists there. */
    static final String OUTSIDE_ROOTS = "file URI outside the allowed roots";

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
            throw new EmbeddingException(uriText, "malformed URI: " + abbreviate(String.valueOf(e.getMessage())));
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        return switch (scheme) {
            case "file" -> file(uriText, uri);
            case "http", "https" -> http(uriText, uri, 0);
            default -> throw new EmbeddingException(uriText, "unsupported URI scheme '" + abbreviate(scheme)
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

    /**
     * Reads a {@code file:} URI that lies under one of the policy's roots: lexically first (so a path outside every
     * root is refused without touching the file system), then after following links (a link inside a root that points
     * outside is refused), then only a regular file (no device, FIFO or directory, so nothing is opened that could
     * block or never end), read up to {@code maxBytes} whatever size the file reports. Every refusal of a path outside
     * the roots, or of a path that goes through a link that cannot be resolved, gives the same reason
     * ({@value #OUTSIDE_ROOTS}) whether or not anything exists there. A file swapped for something else between these
     * checks and the read is still read at most to the limit; keeping that from happening is the business of whoever
     * may write under the roots.
     */
    private byte[] file(String uriText, URI uri) {
        if (policy.fileRoots().isEmpty()) {
            throw new EmbeddingException(uriText, "file URIs are refused: no file roots are configured "
                    + "(shoal.embedding.fetch.file-roots)");
        }
        Path path;
        try {
            path = Path.of(uri).toAbsolutePath().normalize();
        } catch (RuntimeException e) {
            throw new EmbeddingException(uriText, "malformed file URI: " + abbreviate(String.valueOf(e.getMessage())));
        }
        Path root = null;
        for (Path r : policy.fileRoots()) {
            if (path.startsWith(r)) {
                root = r;
                break;
            }
            Path real = realOrNull(r);
            if (real != null && path.startsWith(real)) {
                root = real;
                break;
            }
        }
        if (root == null) {
            throw new EmbeddingException(uriText, OUTSIDE_ROOTS);
        }
        Path real;
        try {
            real = path.toRealPath();
        } catch (IOException e) {
            if (throughLink(root, path)) {
                throw new EmbeddingException(uriText, OUTSIDE_ROOTS);
            }
            throw new EmbeddingException(uriText, e instanceof NoSuchFileException ? "file not found: " + abbreviate(path.toString())
                    : "cannot read file " + abbreviate(path.toString()) + ": " + e.getClass().getSimpleName());
        }
        if (policy.fileRoots().stream().map(ContentFetcher::realOrNull).noneMatch(r -> r != null && real.startsWith(r))) {
            throw new EmbeddingException(uriText, OUTSIDE_ROOTS);
        }
        try {
            BasicFileAttributes attributes = Files.readAttributes(real, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (!attributes.isRegularFile()) {
                throw new EmbeddingException(uriText, "not a regular file: " + abbreviate(path.toString()));
            }
            try (InputStream in = Files.newInputStream(real, LinkOption.NOFOLLOW_LINKS)) {
                return readLimited(uriText, in, policy.maxBytes());
            }
        } catch (IOException e) {
            throw new EmbeddingException(uriText, "cannot read file " + abbreviate(path.toString()) + ": "
                    + e.getClass().getSimpleName(), e);
        }
    }

    /** The real path of {@code p} (links followed), or null when it cannot be resolved (e.g. it does not exist yet). */
    private static Path realOrNull(Path p) {
        try {
            return p.toRealPath();
        } catch (IOException e) {
            return null;
        }
    }

    /** Whether resolving {@code path} below {@code root} passes a symbolic link before it reaches a missing name. */
    private static boolean throughLink(Path root, Path path) {
        Path current = root;
        for (Path name : root.relativize(path)) {
            current = current.resolve(name);
            if (Files.isSymbolicLink(current)) {
                return true;
            }
            if (!Files.exists(current, LinkOption.NOFOLLOW_LINKS)) {
                return false;
            }
        }
        return false;
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
            throw new EmbeddingException(uriText, "unreachable: unknown host " + abbreviate(host));
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
                throw new EmbeddingException(uriText, "redirect to unsupported scheme: " + abbreviate(next.toString()));
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
            return readLimited(uriText, in, policy.maxBytes());
        } catch (IOException e) {
            throw new EmbeddingException(uriText, "read failed: " + e, e);
        }
    }

    /**
     * Reads {@code in} to its end, failing as soon as more than {@code maxBytes} came (it reads at most one buffer
     * past the limit), whatever length the source announced: a device or a growing file never fills the heap.
     */
    static byte[] readLimited(String uri, InputStream in, long maxBytes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[64 * 1024];
        long total = 0;
        int n;
        while ((n = in.read(buf)) > 0) {
            total += n;
            if (total > maxBytes) {
                throw new EmbeddingException(uri, "content exceeds the limit of " + maxBytes + " bytes");
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
        return uri.length() <= 200 ? uri : uri.substring(0, 200) + "...";
    }
}
