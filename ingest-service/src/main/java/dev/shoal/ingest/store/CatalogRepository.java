package dev.shoal.ingest.store;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.shoal.ingest.domain.CatalogView;
import dev.shoal.proto.ingest.v1.Dataset;
import dev.shoal.proto.ingest.v1.Frame;
import dev.shoal.proto.ingest.v1.Inference;
import dev.shoal.proto.ingest.v1.Label;
import dev.shoal.proto.ingest.v1.ModelVersion;
import dev.shoal.proto.ingest.v1.UserEmbedding;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * The catalog in PostgreSQL, through plain JDBC: whole batches go in one {@code INSERT ... SELECT unnest(?), unnest(?),
 * ... ON CONFLICT DO UPDATE ... WHERE payload IS DISTINCT FROM} statement, whose {@code RETURNING} lists exactly
 * the rows that were inserted or changed. Unchanged rows are neither written nor announced. The unnests stand in
 * the select list, where PostgreSQL zips the arrays row by row, rather than in {@code FROM unnest(a, b, ...)},
 * which materialises every array into a tuple store first (docs/benchmarks/ingest.md).
 */
@ApplicationScoped
public class CatalogRepository implements CatalogView {

    private static final String SEP = "\u0000";

    @Inject
    AgroalDataSource dataSource;

    private final Map<String, Dataset> datasets = new ConcurrentHashMap<>();
    private final Map<String, Integer> dimensions = new ConcurrentHashMap<>();
    /** Frames this process committed, by dataset (at most {@link #KNOWN_FRAMES_MAX}; forgotten all at once beyond). */
    private final Map<String, Set<String>> knownFrames = new ConcurrentHashMap<>();
    private final AtomicInteger knownFrameCount = new AtomicInteger();
    static final int KNOWN_FRAMES_MAX = 500_000;

    public Connection connection() throws SQLException {
        return dataSource.getConnection();
    }

    // ------------------------------------------------------------------ reads (CatalogView)

    @Override
    public Optional<Dataset> dataset(String datasetId) {
        Dataset cached = datasets.get(datasetId);
        if (cached != null) {
            return Optional.of(cached);
        }
        try (Connection c = connection(); PreparedStatement ps = c.prepareStatement("SELECT payload FROM datasets WHERE id = ?")) {
            ps.setString(1, datasetId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                Dataset d = Dataset.parseFrom(rs.getBytes(1));
                datasets.put(datasetId, d);
                return Optional.of(d);
            }
        } catch (SQLException | InvalidProtocolBufferException e) {
            throw new StoreException("reading dataset " + datasetId, e);
        }
    }

    /**
     * The validator's frame-existence check (it replaces the foreign keys, schema V3) reads committed frames. A frame
     * that this process committed exists for good (nothing deletes frames), so labels and inferences of frames
     * that came in through this process skip that read (two index probes per frame in the Kafka benchmark).
     */
    @Override
    public boolean knownFrame(String datasetId, String frameId) {
        Set<String> ids = knownFrames.get(datasetId);
        return ids != null && ids.contains(frameId);
    }

    /** Call only after the transaction that stored these frames committed. */
    public void rememberFrames(List<Frame> committed) {
        if (knownFrameCount.addAndGet(committed.size()) > KNOWN_FRAMES_MAX) {
            knownFrames.clear();
            knownFrameCount.set(committed.size());
        }
        for (Frame f : committed) {
            knownFrames.computeIfAbsent(f.getDatasetId(), k -> ConcurrentHashMap.newKeySet()).add(f.getId());
        }
    }

    public List<Dataset> listDatasets() {
        List<Dataset> out = new ArrayList<>();
        try (Connection c = connection(); PreparedStatement ps = c.prepareStatement("SELECT payload FROM datasets ORDER BY id");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(Dataset.parseFrom(rs.getBytes(1)));
            }
        } catch (SQLException | InvalidProtocolBufferException e) {
            throw new StoreException("listing datasets", e);
        }
        return out;
    }

    @Override
    public Map<String, FrameSize> frames(String datasetId, Collection<String> frameIds) {
        Map<String, FrameSize> out = new HashMap<>();
        try (Connection c = connection();
             PreparedStatement ps = c.prepareStatement("SELECT id, width, height FROM frames WHERE dataset_id = ? AND id = ANY(?)")) {
            ps.setString(1, datasetId);
            ps.setArray(2, c.createArrayOf("text", frameIds.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1), new FrameSize(rs.getInt(2), rs.getInt(3)));
                }
            }
        } catch (SQLException e) {
            throw new StoreException("reading frames of " + datasetId, e);
        }
        return out;
    }

    public Optional<Frame> frame(String datasetId, String frameId) {
        try (Connection c = connection();
             PreparedStatement ps = c.prepareStatement("SELECT payload FROM frames WHERE dataset_id = ? AND id = ?")) {
            ps.setString(1, datasetId);
            ps.setString(2, frameId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(Frame.parseFrom(rs.getBytes(1))) : Optional.empty();
            }
        } catch (SQLException | InvalidProtocolBufferException e) {
            throw new StoreException("reading frame " + frameId, e);
        }
    }

    public List<Label> labelsOf(String datasetId, String frameId) {
        return readPayloads("SELECT payload FROM labels WHERE dataset_id = ? AND frame_id = ? ORDER BY label_set, labeler_id",
                datasetId, frameId, Label::parseFrom);
    }

    public List<Inference> inferencesOf(String datasetId, String frameId) {
        return readPayloads("SELECT payload FROM inferences WHERE dataset_id = ? AND frame_id = ? ORDER BY model_id, model_version",
                datasetId, frameId, Inference::parseFrom);
    }

    /** Counts of what a dataset holds, for the API and for tests. */
    public Map<String, Long> counts(String datasetId) {
        Map<String, Long> out = new HashMap<>();
        for (String table : List.of("frames", "labels", "inferences", "user_embeddings", "model_versions")) {
            try (Connection c = connection();
                 PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM " + table + " WHERE dataset_id = ?")) {
                ps.setString(1, datasetId);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    out.put(table, rs.getLong(1));
                }
            } catch (SQLException e) {
                throw new StoreException("counting " + table, e);
            }
        }
        return out;
    }

    /**
     * The dataset's labels per label set, and its inferences and user embeddings per model version
     * ({@code model_id:model_version}): what another service must have seen to be caught up with this catalog.
     */
    public Map<String, Map<String, Long>> breakdown(String datasetId) {
        Map<String, Map<String, Long>> out = new java.util.LinkedHashMap<>();
        out.put("labels_by_label_set", grouped(
                "SELECT label_set, count(*) FROM labels WHERE dataset_id = ? GROUP BY label_set", datasetId));
        out.put("inferences_by_model_version", grouped(
                "SELECT model_id || ':' || model_version, count(*) FROM inferences WHERE dataset_id = ? GROUP BY model_id, model_version",
                datasetId));
        out.put("user_embeddings_by_model_version", grouped(
                "SELECT model_id || ':' || model_version, count(*) FROM user_embeddings WHERE dataset_id = ? GROUP BY model_id, model_version",
                datasetId));
        return out;
    }

    private Map<String, Long> grouped(String sql, String datasetId) {
        Map<String, Long> out = new java.util.TreeMap<>();
        try (Connection c = connection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, datasetId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1), rs.getLong(2));
                }
            }
        } catch (SQLException e) {
            throw new StoreException("counting by group", e);
        }
        return out;
    }

    @Override
    public OptionalInt embeddingDimension(String datasetId, String modelId, String modelVersion) {
        String key = datasetId + SEP + modelId + SEP + modelVersion;
        Integer cached = dimensions.get(key);
        if (cached != null) {
            return OptionalInt.of(cached);
        }
        try (Connection c = connection()) {
            Integer dim = null;
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT embedding_dimension FROM model_versions WHERE dataset_id = ? AND model_id = ? AND version = ? AND embedding_dimension > 0")) {
                ps.setString(1, datasetId);
                ps.setString(2, modelId);
                ps.setString(3, modelVersion);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        dim = rs.getInt(1);
                    }
                }
            }
            if (dim == null) {
                try (PreparedStatement ps = c.prepareStatement(
                        "SELECT dimension FROM user_embeddings WHERE dataset_id = ? AND model_id = ? AND model_version = ? LIMIT 1")) {
                    ps.setString(1, datasetId);
                    ps.setString(2, modelId);
                    ps.setString(3, modelVersion);
                    try (ResultSet rs = ps.executeQuery()) {
                        if (rs.next()) {
                            dim = rs.getInt(1);
                        }
                    }
                }
            }
            if (dim == null) {
                return OptionalInt.empty();
            }
            dimensions.put(key, dim);
            return OptionalInt.of(dim);
        } catch (SQLException e) {
            throw new StoreException("reading the embedding dimension of model_id " + modelId + " model_version " + modelVersion, e);
        }
    }

    // ------------------------------------------------------------------ writes

    /** Inserts the dataset if it is new; returns the stored one and whether it was created. */
    public CreateResult<Dataset> createDataset(Connection c, Dataset d) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO datasets (id, payload, modality, class_names) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO NOTHING RETURNING id")) {
            ps.setString(1, d.getId());
            ps.setBytes(2, ProtoBytes.of(d));
            ps.setShort(3, (short) d.getModalityValue());
            ps.setArray(4, c.createArrayOf("text", d.getClassNamesList().toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    return new CreateResult<>(d, true);
                }
            }
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT payload FROM datasets WHERE id = ?")) {
            ps.setString(1, d.getId());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new CreateResult<>(Dataset.parseFrom(rs.getBytes(1)), false);
            } catch (InvalidProtocolBufferException e) {
                throw new StoreException("reading dataset " + d.getId(), e);
            }
        }
    }

    public void cacheDataset(Dataset d) {
        datasets.put(d.getId(), d);
    }

    public CreateResult<ModelVersion> registerModelVersion(Connection c, ModelVersion m) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO model_versions (dataset_id, model_id, version, embedding_dimension, payload) VALUES (?, ?, ?, ?, ?) "
                        + "ON CONFLICT (dataset_id, model_id, version) DO NOTHING RETURNING version")) {
            ps.setString(1, m.getDatasetId());
            ps.setString(2, m.getModelId());
            ps.setString(3, m.getVersion());
            ps.setInt(4, m.getEmbeddingDimension());
            ps.setBytes(5, ProtoBytes.of(m));
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    return new CreateResult<>(m, true);
                }
            }
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT payload FROM model_versions WHERE dataset_id = ? AND model_id = ? AND version = ?")) {
            ps.setString(1, m.getDatasetId());
            ps.setString(2, m.getModelId());
            ps.setString(3, m.getVersion());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new CreateResult<>(ModelVersion.parseFrom(rs.getBytes(1)), false);
            } catch (InvalidProtocolBufferException e) {
                throw new StoreException("reading model version", e);
            }
        }
    }

    public record CreateResult<T>(T value, boolean created) {
    }

    /**
     * The rows an upsert inserted or changed, in batch order, each with the bytes stored as its payload (its
     * deterministic serialization), so that the events can embed them without serializing the rows again.
     */
    public record Stored<T>(List<T> rows, List<byte[]> payloads) {
    }

    /** Upserts frames; returns those inserted or changed. */
    public Stored<Frame> upsertFrames(Connection c, List<Frame> frames) throws SQLException {
        int n = frames.size();
        String[] ds = new String[n];
        String[] ids = new String[n];
        Integer[] split = new Integer[n];
        Integer[] w = new Integer[n];
        Integer[] h = new Integer[n];
        byte[][] payload = new byte[n][];
        for (int i = 0; i < n; i++) {
            Frame f = frames.get(i);
            ds[i] = f.getDatasetId();
            ids[i] = f.getId();
            split[i] = f.getSplitValue();
            w[i] = f.getWidth();
            h[i] = f.getHeight();
            payload[i] = ProtoBytes.of(f);
        }
        String sql = "INSERT INTO frames (dataset_id, id, split, width, height, payload) "
                + "SELECT unnest(?::text[]), unnest(?::text[]), unnest(?::int2[]), unnest(?::int4[]), unnest(?::int4[]), unnest(?::bytea[]) "
                + "ON CONFLICT (dataset_id, id) DO UPDATE SET split = EXCLUDED.split, width = EXCLUDED.width, height = EXCLUDED.height, "
                + "payload = EXCLUDED.payload, updated_at = now() WHERE frames.payload IS DISTINCT FROM EXCLUDED.payload "
                + "RETURNING dataset_id, id";
        Set<String> changed = execute(c, sql, 2, new Object[][]{ds, ids, split, w, h, payload}, new String[]{"text", "text", "int2", "int4", "int4", "bytea"});
        return select(frames, payload, changed, f -> f.getDatasetId() + SEP + f.getId());
    }

    public Stored<Label> upsertLabels(Connection c, List<Label> labels) throws SQLException {
        return upsertKeyed(c, "labels", labels, List.of("dataset_id", "frame_id", "label_set", "labeler_id"),
                List.of(Label::getDatasetId, Label::getFrameId, Label::getLabelSet, Label::getLabelerId), null, null);
    }

    public Stored<Inference> upsertInferences(Connection c, List<Inference> inferences) throws SQLException {
        return upsertKeyed(c, "inferences", inferences, List.of("dataset_id", "frame_id", "model_id", "model_version"),
                List.of(Inference::getDatasetId, Inference::getFrameId, Inference::getModelId, Inference::getModelVersion), null, null);
    }

    public Stored<UserEmbedding> upsertEmbeddings(Connection c, List<UserEmbedding> embeddings) throws SQLException {
        return upsertKeyed(c, "user_embeddings", embeddings, List.of("dataset_id", "frame_id", "model_id", "model_version"),
                List.of(UserEmbedding::getDatasetId, UserEmbedding::getFrameId, UserEmbedding::getModelId, UserEmbedding::getModelVersion),
                "dimension", UserEmbedding::getVectorCount);
    }

    /**
     * One statement for a whole batch of rows keyed by text columns plus a payload (and optionally one int column):
     * inserts new keys, overwrites changed payloads, leaves identical rows alone, and returns the rows it wrote.
     */
    private static <T extends com.google.protobuf.MessageLite> Stored<T> upsertKeyed(
            Connection c, String table, List<T> rows, List<String> keyColumns, List<Function<T, String>> keys,
            String intColumn, java.util.function.ToIntFunction<T> intValue) throws SQLException {
        int n = rows.size();
        int k = keyColumns.size();
        boolean withInt = intColumn != null;
        Object[][] columns = new Object[k + (withInt ? 2 : 1)][];
        String[] types = new String[columns.length];
        for (int j = 0; j < k; j++) {
            String[] col = new String[n];
            for (int i = 0; i < n; i++) {
                col[i] = keys.get(j).apply(rows.get(i));
            }
            columns[j] = col;
            types[j] = "text";
        }
        if (withInt) {
            Integer[] ints = new Integer[n];
            for (int i = 0; i < n; i++) {
                ints[i] = intValue.applyAsInt(rows.get(i));
            }
            columns[k] = ints;
            types[k] = "int4";
        }
        byte[][] payload = new byte[n][];
        for (int i = 0; i < n; i++) {
            payload[i] = ProtoBytes.of(rows.get(i));
        }
        columns[columns.length - 1] = payload;
        types[columns.length - 1] = "bytea";

        String keyList = String.join(", ", keyColumns);
        String allColumns = keyList + (withInt ? ", " + intColumn : "") + ", payload";
        StringBuilder unnests = new StringBuilder();
        for (String type : types) {
            unnests.append(unnests.isEmpty() ? "" : ", ").append("unnest(?::").append(type).append("[])");
        }
        String sql = "INSERT INTO " + table + " (" + allColumns + ") SELECT " + unnests + " "
                + "ON CONFLICT (" + keyList + ") DO UPDATE SET " + (withInt ? intColumn + " = EXCLUDED." + intColumn + ", " : "")
                + "payload = EXCLUDED.payload, updated_at = now() "
                + "WHERE " + table + ".payload IS DISTINCT FROM EXCLUDED.payload RETURNING " + keyList;
        Set<String> changed = execute(c, sql, k, columns, types);
        return select(rows, payload, changed, row -> {
            StringBuilder key = new StringBuilder();
            for (int j = 0; j < k; j++) {
                key.append(j == 0 ? "" : SEP).append(keys.get(j).apply(row));
            }
            return key.toString();
        });
    }

    /** Forgets cached dimensions (after a rollback a first-seen dimension may not have been stored). */
    public void forgetDimensions() {
        dimensions.clear();
    }

    // ------------------------------------------------------------------ helpers

    /**
     * Runs one upsert and returns the keys of the rows it wrote, or {@code null} when it wrote every row of the
     * batch (the common case of new data: then no key set is built at all).
     */
    private static Set<String> execute(Connection c, String sql, int keyColumns, Object[][] columns, String[] types) throws SQLException {
        int rows = columns[0].length;
        List<String[]> returned = new ArrayList<>(rows);
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            List<Array> arrays = new ArrayList<>();
            for (int i = 0; i < columns.length; i++) {
                Array a = c.createArrayOf(types[i], columns[i]);
                arrays.add(a);
                ps.setArray(i + 1, a);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String[] key = new String[keyColumns];
                    for (int k = 0; k < keyColumns; k++) {
                        key[k] = rs.getString(k + 1);
                    }
                    returned.add(key);
                }
            }
            for (Array a : arrays) {
                a.free();
            }
        }
        if (returned.size() == rows) { // keys are unique inside a batch (the validator refuses duplicates)
            return null;
        }
        Set<String> changed = new HashSet<>();
        for (String[] key : returned) {
            changed.add(String.join(SEP, key));
        }
        return changed;
    }

    private static <T> Stored<T> select(List<T> rows, byte[][] payloads, Set<String> changed, Function<T, String> key) {
        if (changed == null) {
            return new Stored<>(rows, java.util.Arrays.asList(payloads));
        }
        List<T> out = new ArrayList<>(changed.size());
        List<byte[]> outPayloads = new ArrayList<>(changed.size());
        for (int i = 0; i < rows.size(); i++) {
            T row = rows.get(i);
            if (changed.contains(key.apply(row))) {
                out.add(row);
                outPayloads.add(payloads[i]);
            }
        }
        return new Stored<>(out, outPayloads);
    }

    private <T> List<T> readPayloads(String sql, String datasetId, String frameId, Parser<T> parser) {
        List<T> out = new ArrayList<>();
        try (Connection c = connection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, datasetId);
            ps.setString(2, frameId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(parser.parse(rs.getBytes(1)));
                }
            }
        } catch (SQLException | InvalidProtocolBufferException e) {
            throw new StoreException("reading " + sql, e);
        }
        return out;
    }

    @FunctionalInterface
    private interface Parser<T> {
        T parse(byte[] bytes) throws InvalidProtocolBufferException;
    }
}
