package dev.shoal.embedding.messaging;

import dev.shoal.testkit.EmbeddedKafka;
import dev.shoal.testkit.KafkaProbe;
import dev.shoal.testkit.SharedInfra;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link ConsumerLoop} against the real broker: offsets are committed only up to the oldest unfinished record and only
 * once the store says durable; a full pipeline stops fetching (few polls) and admits in offset order; failures are
 * dead-lettered alone; a dead letter that cannot be sent stops the commits and is reported; close commits what was in
 * flight and a restart resumes after it; a second member splits the partitions and nothing is lost.
 */
class ConsumerLoopTest {

    private static EmbeddedKafka kafka;
    private final List<ConsumerLoop> loops = new ArrayList<>();

    @BeforeAll
    static void broker() {
        kafka = SharedInfra.kafka();
    }

    @AfterEach
    void closeLoops() {
        loops.forEach(ConsumerLoop::close);
    }

    @Test
    void commitsUpToTheOldestUnfinishedRecordAndOnlyOnceTheStoreSaysDurable() throws Exception {
        String topic = topic(1);
        send(topic, 10);
        Map<Long, CompletableFuture<Void>> work = new ConcurrentHashMap<>();
        List<CompletableFuture<Void>> durability = new CopyOnWriteArrayList<>();
        loop(topic, 16, r -> work.computeIfAbsent(r.offset(), o -> new CompletableFuture<>()), failingDlq(),
                () -> {
                    CompletableFuture<Void> f = new CompletableFuture<>();
                    durability.add(f);
                    return f;
                });
        await(() -> work.size() == 10, "all 10 records admitted");
        for (long o = 0; o < 10; o++) {
            if (o != 4) {
                work.get(o).complete(null);
            }
        }
        await(() -> !durability.isEmpty(), "offsets proposed to the store");
        Thread.sleep(500);
        assertNull(committed(topic, 0), "nothing is committed before the store says durable");
        durability.forEach(f -> f.complete(null));
        await(() -> Long.valueOf(4).equals(committed(topic, 0)), "committed up to the unfinished record 4");

        int asked = durability.size();
        work.get(4L).complete(null);
        await(() -> durability.size() > asked, "the rest proposed");
        Thread.sleep(500);
        assertEquals(4L, committed(topic, 0), "record 4 is done but not yet durable");
        durability.forEach(f -> f.complete(null));
        await(() -> Long.valueOf(10).equals(committed(topic, 0)), "all 10 committed once durable");
    }

    @Test
    void aFullPipelineStopsFetchingAndAdmitsInOffsetOrder() throws Exception {
        String topic = topic(1);
        send(topic, 40);
        List<Long> admitted = new CopyOnWriteArrayList<>();
        Map<Long, CompletableFuture<Void>> work = new ConcurrentHashMap<>();
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger maxInFlight = new AtomicInteger();
        ConsumerLoop loop = loop(topic, 2, r -> {
            admitted.add(r.offset());
            maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            return work.computeIfAbsent(r.offset(), o -> new CompletableFuture<>()).whenComplete((x, e) -> inFlight.decrementAndGet());
        }, failingDlq(), durableNow());
        await(() -> admitted.size() == 2, "two records admitted");
        long polls0 = loop.status().polls();
        Thread.sleep(1000);
        ConsumerLoop.Status full = loop.status();
        assertEquals(2, admitted.size(), "no third record while two are in flight");
        assertEquals(2, full.inFlight());
        assertTrue(full.queued() > 0, "records of the poll wait in the loop's queue: " + full);
        // housekeeping every 100 ms: about 10 polls in the second (SmallRye's paused state polled every few ms)
        assertTrue(full.polls() - polls0 <= 15, "a full pipeline polls once per housekeeping tick, not continuously: "
                + (full.polls() - polls0) + " polls in 1 s");

        for (long o = 0; o < 40; o++) {
            long offset = o;
            await(() -> work.containsKey(offset), "record " + offset + " admitted");
            work.get(offset).complete(null);
        }
        await(() -> Long.valueOf(40).equals(committed(topic, 0)), "all 40 committed");
        List<Long> expected = new ArrayList<>();
        for (long o = 0; o < 40; o++) {
            expected.add(o);
        }
        assertEquals(expected, admitted, "admitted once each, in offset order");
        assertEquals(2, maxInFlight.get());
    }

    @Test
    void aFailedRecordIsDeadLetteredAloneAndTheStreamGoesOn() throws Exception {
        String topic = topic(1);
        send(topic, 6);
        Map<Long, String> deadLetters = new ConcurrentHashMap<>();
        ConsumerLoop loop = loop(topic, 16, r -> {
            if (r.offset() == 2) {
                throw new IllegalArgumentException("record 2 does not parse");
            }
            return r.offset() == 3 ? CompletableFuture.failedFuture(new IllegalStateException("record 3 failed"))
                    : CompletableFuture.completedFuture(null);
        }, (r, reason) -> {
            deadLetters.put(r.offset(), reason.getMessage());
            return CompletableFuture.completedFuture(null);
        }, durableNow());
        await(() -> Long.valueOf(6).equals(committed(topic, 0)), "all 6 committed");
        assertEquals(Map.of(2L, "record 2 does not parse", 3L, "record 3 failed"), deadLetters);
        assertEquals(2, loop.status().deadLettered());
        assertEquals(6, loop.status().handled());
        assertNull(loop.problem());
    }

    @Test
    void aDeadLetterThatCannotBeSentStopsTheCommitsAndIsReported() throws Exception {
        String topic = topic(1);
        send(topic, 5);
        ConsumerLoop loop = loop(topic, 16,
                r -> r.offset() == 1 ? CompletableFuture.failedFuture(new IllegalStateException("bad frame"))
                        : CompletableFuture.completedFuture(null),
                failingDlq(), durableNow());
        await(() -> loop.problem() != null, "the problem reported");
        await(() -> Long.valueOf(1).equals(committed(topic, 0)), "record 0 committed");
        Thread.sleep(500);
        assertEquals(1L, committed(topic, 0), "nothing past the record whose dead letter failed");
        assertTrue(loop.problem().contains("-0@1 could not be sent to the dead-letter topic"), loop.problem());
        assertEquals(4, loop.status().handled());
    }

    @Test
    void closeCommitsWhatWasInFlightAndARestartResumesAfterIt() throws Exception {
        String topic = topic(1);
        send(topic, 200);
        Set<String> first = ConcurrentHashMap.newKeySet();
        ConsumerLoop loop = loop(topic, 8, recording(first, 20), failingDlq(), durableNow());
        await(() -> first.size() >= 40, "40 records admitted");
        loop.close();
        int handledByFirst = first.size();
        assertTrue(handledByFirst < 200, "closed before the end: " + handledByFirst);
        assertEquals((long) handledByFirst, committed(topic, 0), "close committed every record it admitted");

        Set<String> second = ConcurrentHashMap.newKeySet();
        loop(topic, 8, recording(second, 0), failingDlq(), durableNow());
        await(() -> Long.valueOf(200).equals(committed(topic, 0)), "the rest committed after the restart");
        Set<String> both = new HashSet<>(first);
        both.retainAll(second);
        assertEquals(Set.of(), both, "no record handled twice");
        assertEquals(200, first.size() + second.size());
    }

    @Test
    void aSecondMemberTakesPartitionsAndNothingIsLost() throws Exception {
        String topic = topic(2);
        send(topic, 600);
        Set<String> handledA = ConcurrentHashMap.newKeySet();
        Set<String> handledB = ConcurrentHashMap.newKeySet();
        loop(topic, 2, recording(handledA, 10), failingDlq(), durableNow());
        await(() -> handledA.size() >= 20, "the first member is working");
        loop(topic, 2, recording(handledB, 10), failingDlq(), durableNow());
        await(() -> committedTotal(topic, 2) == 600, "both partitions committed to their ends", 60);
        Set<String> all = new HashSet<>(handledA);
        all.addAll(handledB);
        assertEquals(600, all.size(), "every record handled at least once");
        assertTrue(!handledB.isEmpty(), "the second member took a partition");
    }

    @Test
    void aRebalanceCommitsWhatWasDoneSoNoRecordIsHandledTwice() throws Exception {
        String topic = topic(2);
        send(topic, 600);
        Map<String, Integer> handled = new ConcurrentHashMap<>();
        ConsumerLoop.Handler counting = r -> {
            handled.merge(r.partition() + "@" + r.offset(), 1, Integer::sum);
            return CompletableFuture.runAsync(() -> { }, CompletableFuture.delayedExecutor(10, TimeUnit.MILLISECONDS));
        };
        // the store makes writes durable a second after it is asked: at the second member's arrival the first has
        // records done but not yet durable, which the revocation must wait for instead of leaving them to be redone
        Supplier<CompletableFuture<Void>> durableAfterASecond =
                () -> CompletableFuture.runAsync(() -> { }, CompletableFuture.delayedExecutor(1, TimeUnit.SECONDS));
        loop(topic, 2, counting, failingDlq(), durableAfterASecond);
        await(() -> handled.size() >= 50, "the first member is working");
        loop(topic, 2, counting, failingDlq(), durableAfterASecond);
        await(() -> committedTotal(topic, 2) == 600, "both partitions committed to their ends", 60);
        assertEquals(600, handled.size(), "every record handled");
        assertEquals(Map.of(), handled.entrySet().stream().filter(e -> e.getValue() > 1)
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)), "records handled twice");
    }

    // ---------------------------------------------------------------------------------------------------------------

    /** Notes each record as "partition@offset" and completes it after {@code delayMs} (at once with 0). */
    private static ConsumerLoop.Handler recording(Set<String> handled, int delayMs) {
        return r -> {
            handled.add(r.partition() + "@" + r.offset());
            return delayMs == 0 ? CompletableFuture.completedFuture(null)
                    : CompletableFuture.runAsync(() -> { }, CompletableFuture.delayedExecutor(delayMs, TimeUnit.MILLISECONDS));
        };
    }

    /** A store whose writes are durable at once. */
    private static Supplier<CompletableFuture<Void>> durableNow() {
        return () -> CompletableFuture.completedFuture(null);
    }

    private static ConsumerLoop.DeadLetters failingDlq() {
        return (r, reason) -> CompletableFuture.failedFuture(new IllegalStateException("dead-letter topic unreachable"));
    }

    /** A loop over {@code topic} in the group {@link #group}. */
    private ConsumerLoop loop(String topic, int maxInFlight, ConsumerLoop.Handler handler,
                              ConsumerLoop.DeadLetters dlq, Supplier<CompletableFuture<Void>> whenDurable) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, group(topic));
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "loop-test-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        // a member learns of a rebalance from its heartbeats (default every 3 s): sooner here, so it happens mid-stream
        p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, "300");
        ConsumerLoop.Settings settings = new ConsumerLoop.Settings("test-" + topic, "TestRecord", topic, maxInFlight,
                Duration.ofMillis(100), Duration.ofMillis(100), Duration.ofSeconds(10));
        ConsumerLoop loop = new ConsumerLoop(settings,
                new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer()), handler, dlq, whenDurable);
        loops.add(loop);
        return loop;
    }

    private static String topic(int partitions) {
        String topic = "loop-test-" + UUID.randomUUID();
        kafka.createTopics(partitions, List.of(topic));
        return topic;
    }

    private static void send(String topic, int n) {
        Map<String, byte[]> records = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            records.put("k" + i, ("v" + i).getBytes(StandardCharsets.UTF_8));
        }
        try (KafkaProbe probe = new KafkaProbe(kafka.bootstrapServers())) {
            probe.sendTogether(topic, records, Map.of());
        }
    }

    /** Each test's topic has its own consumer group. */
    private static String group(String topic) {
        return "g-" + topic;
    }

    /** The sum of the committed offsets of partitions 0 .. partitions-1 (none committed counts 0). */
    private static long committedTotal(String topic, int partitions) {
        long sum = 0;
        for (int p = 0; p < partitions; p++) {
            Long o = committed(topic, p);
            sum += o == null ? 0 : o;
        }
        return sum;
    }

    /** The group's committed offset of the partition, or null. */
    private static Long committed(String topic, int partition) {
        try (Admin admin = kafka.admin()) {
            Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group(topic))
                    .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
            OffsetAndMetadata o = offsets.get(new TopicPartition(topic, partition));
            return o == null ? null : o.offset();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        await(condition, what, 30);
    }

    private static void await(BooleanSupplier condition, String what, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for: " + what);
            }
            Thread.sleep(20);
        }
    }
}
