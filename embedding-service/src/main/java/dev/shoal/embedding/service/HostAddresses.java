package dev.shoal.embedding.service;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.Set;

/**
 * The addresses of this machine's own network interfaces (every interface, up or down, loopback included), so that
 * {@link FetchPolicy} can refuse a URI that names the host itself by its LAN or public address, which reaches the
 * services listening on it just as loopback does. Enumerated again at most once per {@link #TTL_NANOS}, so an address
 * the host gains later (DHCP, a new interface) is refused within seconds.
 */
final class HostAddresses {

    static final long TTL_NANOS = 5_000_000_000L;

    private record Snapshot(long takenAt, Set<ByteBuffer> addresses) {
    }

    private static volatile Snapshot snapshot;

    private HostAddresses() {
    }

    /** Whether {@code a} is an address of one of this host's interfaces (compared without the IPv6 scope). */
    static boolean isOwn(InetAddress a) throws SocketException {
        return current().contains(ByteBuffer.wrap(a.getAddress()));
    }

    private static Set<ByteBuffer> current() throws SocketException {
        Snapshot s = snapshot;
        long now = System.nanoTime();
        if (s == null || now - s.takenAt() > TTL_NANOS) {
            s = new Snapshot(now, enumerate());
            snapshot = s;
        }
        return s.addresses();
    }

    private static Set<ByteBuffer> enumerate() throws SocketException {
        Set<ByteBuffer> out = new HashSet<>();
        Enumeration<NetworkInterface> interfaces = NetworkInterface.getNetworkInterfaces();
        while (interfaces != null && interfaces.hasMoreElements()) {
            Enumeration<InetAddress> addresses = interfaces.nextElement().getInetAddresses();
            while (addresses.hasMoreElements()) {
                out.add(ByteBuffer.wrap(addresses.nextElement().getAddress()));
            }
        }
        return Set.copyOf(out);
    }
}
