package dev.shoal.labeling.vendor;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HmacTest {

    private static final byte[] BODY = "{\"task_id\":\"t-1\"}".getBytes(StandardCharsets.UTF_8);

    @Test
    void signsTimestampDotBodyLikeOpenssl() {
        // printf '%s' '1700000000.{"task_id":"t-1"}' | openssl dgst -sha256 -hmac 'whsec-test'
        assertEquals("b88390ebbcd04d2d169b38d7f50157433eed0b77876839f20ded3e90fcd99099", Hmac.sign("whsec-test", 1700000000L, BODY));
        assertEquals("v1=b88390ebbcd04d2d169b38d7f50157433eed0b77876839f20ded3e90fcd99099", Hmac.header("whsec-test", 1700000000L, BODY));
    }

    @Test
    void verifiesOnlyTheExactBodyTimestampAndSecret() {
        String header = Hmac.header("whsec-test", 1700000000L, BODY);
        assertTrue(Hmac.verify("whsec-test", 1700000000L, BODY, header));
        assertTrue(Hmac.verify("whsec-test", 1700000000L, BODY, header.toUpperCase().replace("V1=", "v1=")));
        assertFalse(Hmac.verify("whsec-test", 1700000001L, BODY, header), "another timestamp");
        assertFalse(Hmac.verify("other", 1700000000L, BODY, header), "another secret");
        assertFalse(Hmac.verify("whsec-test", 1700000000L, "{\"task_id\":\"t-2\"}".getBytes(StandardCharsets.UTF_8), header), "another body");
        assertFalse(Hmac.verify("whsec-test", 1700000000L, BODY, header.substring(3)), "no v1= prefix");
        assertFalse(Hmac.verify("whsec-test", 1700000000L, BODY, null));
    }
}
