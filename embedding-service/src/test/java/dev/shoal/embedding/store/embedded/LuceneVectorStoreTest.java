package dev.shoal.embedding.store.embedded;

import dev.shoal.embedding.store.SearchHit;
import dev.shoal.embedding.store.SearchQuery;
import dev.shoal.embedding.store.VectorFilter;
import dev.shoal.embedding.store.VectorRecord;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.store.FSDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What only the embedded store has: a directory on disk, its lock, its commit cycle. */
class LuceneVectorStoreTest {

    @TempDir
    Path dir;

    private static VectorRecord row(String frame, float... v) {
        return new VectorRecord(frame, "m@1", "ds", "train", "cat", null, true, null, v);
    }

    @Test
    void rowsSurviveClosingAndReopeningTheIndex() {
        try (LuceneVectorStore store = new LuceneVectorStore(dir)) {
            store.upsert(List.of(row("a", 1, 0), row("b", 0, 1)));
        }
        try (LuceneVectorStore store = new LuceneVectorStore(dir)) {
            assertEquals(2, store.count("ds", "m@1"));
            assertEquals(2, store.dimension("m@1").orElseThrow());
            assertArrayEquals(new float[]{0, 1}, store.get("b", "m@1").orElseThrow().vector());
            store.upsert(List.of(row("a", 1, 1)));
            assertEquals(2, store.count("ds", "m@1"));
            assertThrows(IllegalArgumentException.class, () -> store.upsert(List.of(row("c", 1, 1, 1))));
        }
    }

    @Test
    void periodicCommitsMakeRowsDurableWithoutAClose() throws Exception {
        LuceneVectorStore store = new LuceneVectorStore(dir, LuceneVectorStore.Options.defaults().withCommitInterval(Duration.ofMillis(100)));
        try {
            store.upsert(List.of(row("a", 1, 0)));
            try (var d = FSDirectory.open(dir)) {
                long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (!DirectoryReader.indexExists(d) && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                // a reader on the directory sees only what was committed
                try (var reader = DirectoryReader.open(d)) {
                    assertEquals(1, reader.numDocs());
                }
            }
        } finally {
            store.close();
        }
    }

    @Test
    void whenDurableCompletesOnlyOnceACommitHoldsTheWritesMadeBeforeIt() throws Exception {
        LuceneVectorStore store = new LuceneVectorStore(dir, LuceneVectorStore.Options.defaults().withCommitInterval(Duration.ofHours(1)));
        try {
            store.commit(); // an empty commit, so a reader can open the directory
            store.upsert(List.of(row("a", 1, 0), row("b", 0, 1)));
            CompletableFuture<Void> durable = store.whenDurable();
            try (var d = FSDirectory.open(dir)) {
                try (var reader = DirectoryReader.open(d)) {
                    assertEquals(0, reader.numDocs(), "the commit on disk does not hold the rows yet");
                }
                assertFalse(durable.isDone(), "not durable before a commit");
                store.commit();
                assertTrue(durable.isDone() && !durable.isCompletedExceptionally(), "the commit completes it");
                try (var reader = DirectoryReader.open(d)) {
                    assertEquals(2, reader.numDocs(), "durable: the commit on disk holds both rows");
                }
            }
        } finally {
            store.close();
        }
        LuceneVectorStore periodic = new LuceneVectorStore(dir, LuceneVectorStore.Options.defaults().withCommitInterval(Duration.ofMillis(100)));
        try {
            periodic.upsert(List.of(row("c", 1, 1)));
            periodic.whenDurable().get(10, TimeUnit.SECONDS); // the periodic commit completes it
            try (var d = FSDirectory.open(dir); var reader = DirectoryReader.open(d)) {
                assertEquals(3, reader.numDocs());
            }
        } finally {
            periodic.close();
        }
    }

    @Test
    void whenDurableWithoutPeriodicCommitsAsksForOneAndCloseCompletesTheRest() throws Exception {
        LuceneVectorStore store = new LuceneVectorStore(dir, LuceneVectorStore.Options.defaults().withCommitInterval(Duration.ZERO));
        try {
            store.upsert(List.of(row("a", 1, 0)));
            store.whenDurable().get(10, TimeUnit.SECONDS);
            try (var d = FSDirectory.open(dir); var reader = DirectoryReader.open(d)) {
                assertEquals(1, reader.numDocs());
            }
        } finally {
            store.close();
        }
        LuceneVectorStore periodic = new LuceneVectorStore(dir, LuceneVectorStore.Options.defaults().withCommitInterval(Duration.ofHours(1)));
        periodic.upsert(List.of(row("b", 0, 1)));
        CompletableFuture<Void> waiting = periodic.whenDurable();
        assertFalse(waiting.isDone(), "an hour to the next commit");
        periodic.close();
        assertTrue(waiting.isDone() && !waiting.isCompletedExceptionally(), "close commits and completes it");
    }

    @Test
    void aSecondStoreOnTheSameDirectoryIsRefused() {
        try (LuceneVectorStore store = new LuceneVectorStore(dir)) {
            RuntimeException e = assertThrows(RuntimeException.class, () -> new LuceneVectorStore(dir));
            assertTrue(e.getMessage().contains(dir.toString()), e.getMessage());
        }
    }

    @Test
    void acceptsImageSizedVectorsAboveLucenesDefaultLimit() {
        Random rnd = new Random(1);
        float[] v = new float[2048];
        for (int i = 0; i < v.length; i++) {
            v[i] = rnd.nextFloat() - 0.5f;
        }
        try (LuceneVectorStore store = new LuceneVectorStore(dir)) {
            store.upsert(List.of(new VectorRecord("img", "resnet@1", "ds", null, null, null, false, null, v)));
            List<SearchHit> hits = store.search(new SearchQuery(v, 1, VectorFilter.of("ds", "resnet@1")));
            assertEquals(1.0, hits.get(0).score(), 1e-5);
        }
        try (LuceneVectorStore store = new LuceneVectorStore(dir)) {
            assertArrayEquals(v, store.get("img", "resnet@1").orElseThrow().vector());
        }
    }

    @Test
    void concurrentWritersAndReadersSeeTheirOwnWrites() throws Exception {
        try (LuceneVectorStore store = new LuceneVectorStore(dir)) {
            ExecutorService pool = Executors.newFixedThreadPool(4);
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    Random rnd = new Random(thread);
                    for (int i = 0; i < 40; i++) {
                        String frame = "t" + thread + "-" + (i % 10); // every key written 4 times
                        float[] v = {rnd.nextFloat() + 0.01f, rnd.nextFloat(), rnd.nextFloat()};
                        store.upsert(List.of(row(frame, v)));
                        assertArrayEquals(v, store.get(frame, "m@1").orElseThrow().vector());
                        store.search(new SearchQuery(v, 5, VectorFilter.of("ds", "m@1")));
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
            pool.shutdown();
            assertEquals(40, store.count("ds", "m@1"));
            try (var rows = store.export("ds", "m@1")) {
                assertEquals(40, rows.count());
            }
        }
    }

    @Test
    void fieldUpdatesRacingUpsertsNeverPutBackAnOlderVector() throws Exception {
        try (LuceneVectorStore store = new LuceneVectorStore(dir)) {
            store.upsert(List.of(row("f", 1, 0, 0)));
            ExecutorService pool = Executors.newFixedThreadPool(3);
            Future<?> upserts = pool.submit(() -> {
                for (int i = 1; i <= 60; i++) {
                    store.upsert(List.of(row("f", 1, i, 0), row("g" + i, 0, 1, i)));
                }
                return null;
            });
            List<Future<?>> updates = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                String labeler = "l" + t;
                updates.add(pool.submit(() -> {
                    for (int i = 0; i < 30; i++) {
                        store.updateFields("ds", "f", dev.shoal.embedding.store.FieldUpdate.label("dog" + i, labeler));
                    }
                    return null;
                }));
            }
            upserts.get();
            for (Future<?> f : updates) {
                f.get();
            }
            pool.shutdown();
            // the last upsert's vector survives every read-modify-write that raced it
            assertArrayEquals(new float[]{1, 60, 0}, store.get("f", "m@1").orElseThrow().vector());
            store.updateFields("ds", "f", dev.shoal.embedding.store.FieldUpdate.label("bird", "l9"));
            VectorRecord f = store.get("f", "m@1").orElseThrow();
            assertEquals("bird", f.label());
            assertArrayEquals(new float[]{1, 60, 0}, f.vector());
            assertEquals(61, store.count("ds", "m@1"));
        }
    }

    @Test
    void aClosedStoreSaysSo() {
        LuceneVectorStore store = new LuceneVectorStore(dir);
        store.close();
        store.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> store.count(null, null));
        assertTrue(e.getMessage().contains("closed"));
    }
}
