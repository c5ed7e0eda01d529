package dev.shoal.ingest.store;

import dev.shoal.proto.ingest.v1.ClassLabel;
import dev.shoal.proto.ingest.v1.ClassProbabilities;
import dev.shoal.proto.ingest.v1.ClassProbability;
import dev.shoal.proto.ingest.v1.Frame;
import dev.shoal.proto.ingest.v1.Inference;
import dev.shoal.proto.ingest.v1.Label;
import dev.shoal.proto.ingest.v1.Modality;
import dev.shoal.proto.ingest.v1.Split;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Replays the Kafka benchmark's write path against a scratch PostgreSQL with the repository's own statements, to
 * compare write paths by the server's CPU (docs/benchmarks/ingest.md: unnest vs binary COPY into a staging table): per batch of frames, then labels, then inferences (each in its own
 * transaction, as the service does), with the validator's frame lookup before labels and before inferences; then
 * the same batches again (a replay: nothing may be written). Reads the CPU of the postmaster and all its children
 * (exited ones included) from /proc.
 *
 * <p>Run (the scratch server's database must have the schema, V1..V3): {@code java -cp <test cp>
 * [-Dreplay.label=NAME] dev.shoal.ingest.store.PgWriteReplay <jdbc-url> <postmaster pid>
 * [batches=25] [batch=2000]}
 */
public final class PgWriteReplay {

    public static void main(String[] args) throws Exception {
        String url = args[0];
        long postmaster = Long.parseLong(args[1]);
        int batches = args.length > 2 ? Integer.parseInt(args[2]) : 25;
        int batch = args.length > 3 ? Integer.parseInt(args[3]) : 2000;
        CatalogRepository repo = new CatalogRepository();
        String ds = "replay-" + Long.toHexString(System.nanoTime());
        try (Connection c = DriverManager.getConnection(url, "postgres", "postgres")) {
            try (Statement s = c.createStatement()) {
                s.execute("INSERT INTO datasets (id, payload, modality, class_names) VALUES ('" + ds + "', '\\x', 1, '{cone,pole,sign,car}')");
            }
            for (String pass : List.of("new rows", "replay")) {
                double cpu0 = cpuSeconds(postmaster);
                long t0 = System.nanoTime();
                int written = 0;
                for (int b = 0; b < batches; b++) {
                    int from = b * batch;
                    int to = from + batch;
                    List<Frame> frames = new ArrayList<>();
                    List<Label> labels = new ArrayList<>();
                    List<Inference> inferences = new ArrayList<>();
                    List<String> ids = new ArrayList<>();
                    for (int i = from; i < to; i++) {
                        String id = "f" + i;
                        ids.add(id);
                        frames.add(Frame.newBuilder().setDatasetId(ds).setId(id).addUris("file:///data/img/" + i + ".jpg")
                                .setSplit(Split.SPLIT_TRAIN).setWidth(640).setHeight(480).setModality(Modality.MODALITY_IMAGE)
                                .putMetadata("camera", "cam-" + (i % 7)).build());
                        labels.add(Label.newBuilder().setDatasetId(ds).setFrameId(id).setLabelerId("ann-" + (i % 13)).setLabelSet("v1")
                                .setClassification(ClassLabel.newBuilder().setClassName("cone")).build());
                        ClassProbabilities.Builder p = ClassProbabilities.newBuilder();
                        for (String cls : List.of("cone", "pole", "sign", "car")) {
                            p.addScores(ClassProbability.newBuilder().setClassName(cls).setProbability(cls.equals("cone") ? 0.7f : 0.1f));
                        }
                        inferences.add(Inference.newBuilder().setDatasetId(ds).setFrameId(id).setModelId("resnet").setModelVersion("1")
                                .setClassification(p).build());
                    }
                    c.setAutoCommit(false);
                    written += repo.upsertFrames(c, frames).rows().size();
                    c.commit();
                    lookup(c, ds, ids);
                    written += repo.upsertLabels(c, labels).rows().size();
                    c.commit();
                    lookup(c, ds, ids);
                    written += repo.upsertInferences(c, inferences).rows().size();
                    c.commit();
                    c.setAutoCommit(true);
                }
                double cpu = cpuSeconds(postmaster) - cpu0;
                int frames = batches * batch;
                System.out.printf("%-8s %s: %,d frames, %,d rows written, PostgreSQL %.2f CPU s = %.1f us/frame, %.1f s wall%n",
                        System.getProperty("replay.label", "unnest"), pass, frames, written, cpu, cpu / frames * 1e6, (System.nanoTime() - t0) / 1e9);
            }
        }
    }

    /** The validator's frame lookup (BatchValidator.lookupFrames through CatalogRepository.frames). */
    private static void lookup(Connection c, String ds, List<String> ids) throws Exception {
        if (!Boolean.parseBoolean(System.getProperty("replay.lookup", "true"))) { // -Dreplay.lookup=false: how much the lookups cost
            return;
        }
        try (var ps = c.prepareStatement("SELECT id, width, height FROM frames WHERE dataset_id = ? AND id = ANY(?)")) {
            ps.setString(1, ds);
            ps.setArray(2, c.createArrayOf("text", ids.toArray()));
            try (var rs = ps.executeQuery()) {
                int n = 0;
                while (rs.next()) {
                    n++;
                }
                if (n != ids.size()) {
                    throw new IllegalStateException("lookup found " + n + " of " + ids.size() + " frames");
                }
            }
        }
    }

    /** utime + stime + cutime + cstime of a process and its live children. */
    static double cpuSeconds(long postmaster) throws Exception {
        double hz = 100.0;
        double total = 0;
        try (var procs = Files.list(Path.of("/proc"))) {
            for (Path p : (Iterable<Path>) procs::iterator) {
                String name = p.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                String st;
                try {
                    st = Files.readString(p.resolve("stat"));
                } catch (Exception e) {
                    continue;
                }
                String[] f = st.substring(st.lastIndexOf(')') + 2).split(" ");
                long pid = Long.parseLong(name);
                long parent = Long.parseLong(f[1]);
                if (pid == postmaster) {
                    total += (Long.parseLong(f[11]) + Long.parseLong(f[12]) + Long.parseLong(f[13]) + Long.parseLong(f[14])) / hz;
                } else if (parent == postmaster) {
                    total += (Long.parseLong(f[11]) + Long.parseLong(f[12])) / hz;
                }
            }
        }
        return total;
    }
}
