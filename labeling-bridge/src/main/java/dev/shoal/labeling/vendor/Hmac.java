package dev.shoal.labeling.vendor;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * Shoal's webhook signature: HMAC-SHA256 over {@code <timestamp> + "." + <raw body>}, sent as
 * {@code X-Shoal-Timestamp: <unix seconds>} and {@code X-Shoal-Signature: v1=<lowercase hex>} (the scheme
 * Stripe and Svix use: the timestamp is inside the MAC, so an old request cannot be re-stamped).
 */
public final class Hmac {

    public static final String TIMESTAMP_HEADER = "X-Shoal-Timestamp";
    public static final String SIGNATURE_HEADER = "X-Shoal-Signature";
    public static final String VERSION_PREFIX = "v1=";

    private Hmac() {
    }

    public static String sign(String secret, long timestampSeconds, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            mac.update(Long.toString(timestampSeconds).getBytes(StandardCharsets.US_ASCII));
            mac.update((byte) '.');
            mac.update(body);
            return HexFormat.of().formatHex(mac.doFinal());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    /** The header value for a signature. */
    public static String header(String secret, long timestampSeconds, byte[] body) {
        return VERSION_PREFIX + sign(secret, timestampSeconds, body);
    }

    /** Constant-time check of a {@code v1=<hex>} header value. */
    public static boolean verify(String secret, long timestampSeconds, byte[] body, String headerValue) {
        if (headerValue == null || !headerValue.startsWith(VERSION_PREFIX)) {
            return false;
        }
        byte[] expected = sign(secret, timestampSeconds, body).getBytes(StandardCharsets.US_ASCII);
        byte[] given = headerValue.substring(VERSION_PREFIX.length()).trim().toLowerCase().getBytes(StandardCharsets.US_ASCII);
        return MessageDigest.isEqual(expected, given);
    }

    public static boolean constantTimeEquals(String a, String b) {
        if (a == null || b == null) {
            return false;
        }
        return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }

    public static String sha256(byte[] body) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
