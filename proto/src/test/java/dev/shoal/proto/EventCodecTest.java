package dev.shoal.proto;

import dev.shoal.proto.ingest.v1.IngestRequest;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EventCodecTest {

    @Test
    void the_content_type_decides_and_without_one_a_leading_brace_means_json() {
        byte[] json = " \n{\"request_id\": \"r\"}".getBytes(StandardCharsets.UTF_8);
        byte[] binary = IngestRequest.newBuilder().setRequestId("r").build().toByteArray();
        assertTrue(EventCodec.isJson(null, json));
        assertFalse(EventCodec.isJson(null, binary));
        assertTrue(EventCodec.isJson(CloudEventHeaders.JSON, binary));
        assertFalse(EventCodec.isJson(CloudEventHeaders.PROTOBUF, json));
        assertFalse(EventCodec.isJson(null, new byte[0]));
        assertFalse(EventCodec.isJson(null, null));
    }
}
