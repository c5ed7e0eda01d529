package dev.shoal.ingest;

import dev.shoal.ingest.store.CatalogRepository;
import dev.shoal.proto.ingest.v1.ClassLabel;
import dev.shoal.proto.ingest.v1.Frame;
import dev.shoal.proto.ingest.v1.Label;
import dev.shoal.proto.ingest.v1.Split;
import dev.shoal.testkit.ShoalInfraTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static dev.shoal.ingest.IngestTestSupport.createDataset;
import static dev.shoal.ingest.IngestTestSupport.uniqueDataset;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The set-based upserts of {@link CatalogRepository} against the real PostgreSQL (schema V1..V3 by Flyway). */
@QuarkusTest
@QuarkusTestResource(value = ShoalInfraTestResource.class, initArgs = @ResourceArg(name = "database", value = "ingest"))
class CatalogRepositoryTest {

    @Inject
    CatalogRepository repository;

    @Test
    void one_upsert_statement_returns_exactly_the_inserted_or_changed_rows_and_a_replay_returns_none() throws SQLException {
        String ds = uniqueDataset("repo");
        createDataset(ds, "MODALITY_IMAGE", "cat", "dog");
        List<Frame> batch = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            batch.add(frame(ds, "f" + i, 64));
        }
        assertEquals(1000, upsertFrames(batch).size(), "all new");
        assertEquals(0, upsertFrames(batch).size(), "a replay writes nothing");

        List<Frame> mixed = new ArrayList<>(batch.subList(0, 10));
        mixed.set(3, frame(ds, "f3", 128));          // changed
        mixed.add(frame(ds, "new-1", 64));           // new
        List<Frame> changed = upsertFrames(mixed);
        assertEquals(Set.of("f3", "new-1"), ids(changed));
        assertEquals(128, repository.frame(ds, "f3").orElseThrow().getWidth());
        assertEquals(1001L, repository.counts(ds).get("frames"));
    }

    @Test
    void the_same_new_rows_upserted_by_parallel_transactions_are_reported_changed_once_in_total() throws Exception {
        String ds = uniqueDataset("race");
        createDataset(ds, "MODALITY_IMAGE", "cat", "dog");
        List<Frame> frames = new ArrayList<>();
        List<Label> labels = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            frames.add(frame(ds, "f" + i, 64));
            labels.add(Label.newBuilder().setDatasetId(ds).setFrameId("f" + i).setLabelerId("a").setLabelSet("v1")
                    .setClassification(ClassLabel.newBuilder().setClassName(i % 2 == 0 ? "cat" : "dog")).build());
        }
        upsertFrames(frames);
        int writers = 4;
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<List<Label>>> results = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            results.add(pool.submit(() -> {
                start.await();
                try (Connection c = repository.connection()) {
                    c.setAutoCommit(false);
                    List<Label> changed = repository.upsertLabels(c, labels).rows();
                    c.commit();
                    return changed;
                }
            }));
        }
        start.countDown();
        int reported = 0;
        Set<String> seen = new HashSet<>();
        for (Future<List<Label>> r : results) {
            for (Label l : r.get()) {
                reported++;
                assertTrue(seen.add(l.getFrameId()), "label of " + l.getFrameId() + " reported as changed twice");
            }
        }
        pool.shutdown();
        assertEquals(2000, reported, "each new row is announced by exactly one writer");
        assertEquals(2000L, repository.counts(ds).get("labels"));
    }

    @Test
    void ids_that_differ_only_in_case_or_accents_are_different_rows() throws SQLException {
        String ds = uniqueDataset("bytes");
        createDataset(ds, "MODALITY_IMAGE", "cat");
        List<Frame> batch = List.of(frame(ds, "img-a", 64), frame(ds, "IMG-A", 64), frame(ds, "img-\u00e1", 64));
        assertEquals(3, upsertFrames(batch).size());
        assertEquals(0, upsertFrames(batch).size());
        assertEquals(3L, repository.counts(ds).get("frames"));
        assertEquals("IMG-A", repository.frame(ds, "IMG-A").orElseThrow().getId());
    }

    private List<Frame> upsertFrames(List<Frame> frames) throws SQLException {
        try (Connection c = repository.connection()) {
            c.setAutoCommit(false);
            List<Frame> changed = repository.upsertFrames(c, frames).rows();
            c.commit();
            return changed;
        }
    }

    private static Frame frame(String ds, String id, int width) {
        return Frame.newBuilder().setDatasetId(ds).setId(id).addUris("file:///data/" + id + ".png").setSplit(Split.SPLIT_TRAIN)
                .setWidth(width).setHeight(48).build();
    }

    private static Set<String> ids(List<Frame> frames) {
        Set<String> out = new HashSet<>();
        frames.forEach(f -> out.add(f.getId()));
        return out;
    }
}
