package dev.shoal.proto;

import dev.shoal.proto.common.v1.EventEnvelope;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EnvelopesTest {

    @Test
    void event_ids_are_version_7_uuids_carrying_their_creation_millisecond() {
        long before = System.currentTimeMillis();
        UUID id = UUID.fromString(Envelopes.newEventId());
        long after = System.currentTimeMillis();
        assertEquals(7, id.version());
        assertEquals(2, id.variant()); // RFC 9562 / 4122 variant (binary 10)
        long millis = id.getMostSignificantBits() >>> 16;
        assertTrue(millis >= before && millis <= after, millis + " not in [" + before + ", " + after + "]");
    }

    @Test
    void event_ids_of_a_later_millisecond_sort_after_earlier_ones() throws InterruptedException {
        String first = Envelopes.newEventId();
        Thread.sleep(2);
        String second = Envelopes.newEventId();
        assertTrue(first.compareTo(second) < 0, first + " should sort before " + second);
    }

    @Test
    void event_ids_made_on_several_threads_at_once_are_all_different() throws Exception {
        int threads = 4;
        int each = 50_000;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<List<String>>> parts = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                parts.add(pool.submit(() -> {
                    List<String> ids = new ArrayList<>(each);
                    for (int i = 0; i < each; i++) {
                        ids.add(Envelopes.newEventId());
                    }
                    return ids;
                }));
            }
            Set<String> all = new HashSet<>();
            for (Future<List<String>> part : parts) {
                all.addAll(part.get());
            }
            assertEquals(threads * each, all.size());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void an_envelope_gets_a_fresh_event_id_and_its_fields() {
        EventEnvelope a = Envelopes.create("p", "d", "f1", null);
        EventEnvelope b = Envelopes.create("p", "d", "f1", null);
        assertTrue(!a.getEventId().equals(b.getEventId()));
        assertEquals(7, UUID.fromString(a.getEventId()).version());
        assertEquals("p", a.getProducer());
        assertEquals("d", a.getDatasetId());
        assertEquals("f1", a.getAggregateId());
        assertEquals("", a.getCorrelationId());
    }
}
