package dev.shoal.embedding.service;

import dev.shoal.embedding.config.EmbeddingConfig;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.SocketException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What {@link ContentFetcher} may fetch: size and time limits; the directories {@code file:} URIs may name
 * ({@code fileRoots}, none by default, so {@code file:} is refused until a root is configured); and the address
 * deny-list that keeps an {@code http(s)} URI from reaching the service's own network (SSRF): every address of this
 * host's own interfaces ({@link HostAddresses}), loopback, link-local (which holds the cloud metadata endpoint
 * 169.254.169.254 / fd00:ec2::254), private ranges, the unspecified and multicast addresses, and named hosts.
 * {@code allowLoopback} opens loopback only: the host's other addresses stay refused whatever the flags say.
 */
public record FetchPolicy(long maxBytes, Duration connectTimeout, Duration readTimeout,
                          boolean allowLoopback, boolean allowPrivate, boolean allowLinkLocal,
                          Set<String> deniedHosts, List<Path> fileRoots) {

    /** Always refused, whatever the flags say: the metadata services of the big clouds. */
    static final Set<String> METADATA_HOSTS = Set.of("169.254.169.254", "fd00:ec2:0:0:0:0:0:254", "100.100.100.200",
            "metadata.google.internal", "metadata", "instance-data", "instance-data.ec2.internal");

    public static FetchPolicy defaults() {
        return new FetchPolicy(16L << 20, Duration.ofSeconds(5), Duration.ofSeconds(20),
                false, false, false, Set.of(), List.of());
    }

    public static FetchPolicy from(EmbeddingConfig.Fetch f) {
        return new FetchPolicy(f.maxBytes(), f.connectTimeout(), f.readTimeout(), f.allowLoopback(), f.allowPrivate(),
                f.allowLinkLocal(),
                f.deniedHosts().orElse(List.of()).stream().map(h -> h.toLowerCase(Locale.ROOT)).collect(Collectors.toSet()),
                f.fileRoots().orElse(List.of()).stream().map(p -> Path.of(p).toAbsolutePath().normalize()).toList());
    }

    public FetchPolicy withLoopbackAllowed() {
        return new FetchPolicy(maxBytes, connectTimeout, readTimeout, true, allowPrivate, allowLinkLocal, deniedHosts,
                fileRoots);
    }

    public FetchPolicy withMaxBytes(long max) {
        return new FetchPolicy(max, connectTimeout, readTimeout, allowLoopback, allowPrivate, allowLinkLocal, deniedHosts,
                fileRoots);
    }

    public FetchPolicy withReadTimeout(Duration timeout) {
        return new FetchPolicy(maxBytes, connectTimeout, timeout, allowLoopback, allowPrivate, allowLinkLocal, deniedHosts,
                fileRoots);
    }

    /** The same policy with {@code file:} URIs allowed under {@code roots} (absolute after normalising). */
    public FetchPolicy withFileRoots(Path... roots) {
        return new FetchPolicy(maxBytes, connectTimeout, readTimeout, allowLoopback, allowPrivate, allowLinkLocal,
                deniedHosts, Arrays.stream(roots).map(r -> r.toAbsolutePath().normalize()).toList());
    }

    /** Null when the host name may be contacted at all, else why not. */
    String refuseHost(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        if (METADATA_HOSTS.contains(h)) {
            return "host " + host + " is a cloud metadata endpoint";
        }
        if (deniedHosts.contains(h)) {
            return "host " + host + " is on the configured deny-list";
        }
        if (!allowLoopback && (h.equals("localhost") || h.endsWith(".localhost"))) {
            return "host " + host + " is loopback (set shoal.embedding.fetch.allow-loopback=true to allow it)";
        }
        return null;
    }

    /** Null when the resolved address may be contacted, else why not. */
    String refuseAddress(InetAddress a) {
        String ip = a.getHostAddress();
        int zone = ip.indexOf('%');
        if (zone >= 0) {
            ip = ip.substring(0, zone);
        }
        if (METADATA_HOSTS.contains(ip) || deniedHosts.contains(ip)) {
            return "address " + ip + " is denied (metadata endpoint or deny-list)";
        }
        if (a.isAnyLocalAddress() || a.isMulticastAddress()) {
            return "address " + ip + " is not a unicast host address";
        }
        if (a.isLoopbackAddress()) {
            return allowLoopback ? null
                    : "address " + ip + " is loopback (set shoal.embedding.fetch.allow-loopback=true to allow it)";
        }
        try {
            if (HostAddresses.isOwn(a)) {
                return "address " + ip + " is an address of this host";
            }
        } catch (SocketException e) {
            return "address " + ip + " cannot be checked against this host's own addresses: " + e.getMessage();
        }
        if (a.isLinkLocalAddress() && !allowLinkLocal) {
            return "address " + ip + " is link-local (set shoal.embedding.fetch.allow-link-local=true to allow it)";
        }
        boolean uniqueLocal6 = a instanceof Inet6Address && (a.getAddress()[0] & 0xfe) == 0xfc;
        boolean cgnat = a.getAddress().length == 4 && (a.getAddress()[0] & 0xff) == 100 && (a.getAddress()[1] & 0xc0) == 64;
        if ((a.isSiteLocalAddress() || uniqueLocal6 || cgnat) && !allowPrivate) {
            return "address " + ip + " is private (set shoal.embedding.fetch.allow-private=true to allow it)";
        }
        return null;
    }
}
