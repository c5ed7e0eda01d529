package dev.shoal.ingest;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Parser;
import dev.shoal.ingest.config.IngestConfig;
import dev.shoal.ingest.domain.BatchValidator;
import dev.shoal.ingest.domain.RowErrors;
import dev.shoal.ingest.store.CatalogRepository;
import dev.shoal.proto.Inputs;
import dev.shoal.proto.ingest.v1.Frame;
import dev.shoal.proto.ingest.v1.Inference;
import dev.shoal.proto.ingest.v1.Label;
import dev.shoal.proto.ingest.v1.ModelVersion;
import dev.shoal.proto.ingest.v1.UserEmbedding;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * What a fuzz test stored, read back from PostgreSQL and validated again with the service's own rules: the proof
 * that no invalid row was accepted. Each stored row's payload is the proto it was stored from.
 */
final class StoredRows {

    private StoredRows() {
    }

    /** Problems of the rows stored for {@code dataset} (empty when every row passes validation again). */
    static List<String> problems(CatalogRepository repository, IngestConfig config, String dataset) throws Exception {
        BatchValidator validator = new BatchValidator(repository, config);
        List<String> problems = new ArrayList<>();
        errors(validator.frames(read(repository, "frames", dataset, Frame.parser())).errors(), problems);
        errors(validator.labels(read(repository, "labels", dataset, Label.parser())).errors(), problems);
        errors(validator.inferences(read(repository, "inferences", dataset, Inference.parser())).errors(), problems);
        errors(validator.embeddings(read(repository, "user_embeddings", dataset, UserEmbedding.parser())).errors(), problems);
        for (ModelVersion m : read(repository, "model_versions", dataset, ModelVersion.parser())) {
            validator.checkModelVersion(m).ifPresent(p -> problems.add("stored " + p));
        }
        return problems;
    }

    /**
     * Asserts that every row stored for {@code dataset} passes validation again and that every valid row listed (by
     * kind, its id in {@code kind.keyColumn}) was stored; returns how many valid rows were checked.
     */
    static int assertOnlyValidRowsAndAllOfThemStored(CatalogRepository repository, IngestConfig config, String dataset,
                                                     Map<FuzzRows.Kind, Set<String>> validRows) throws Exception {
        assertEquals(List.of(), problems(repository, config, dataset), "stored rows that break the ingest rules");
        int checked = 0;
        for (var e : validRows.entrySet()) {
            Set<String> notStored = new HashSet<>(e.getValue());
            storedKeys(repository, e.getKey().table, e.getKey().keyColumn, dataset).forEach(notStored::remove);
            assertEquals(Set.of(), notStored, "valid " + e.getKey() + " rows of fuzzed batches that were not stored");
            checked += e.getValue().size();
        }
        return checked;
    }

    /** The column {@code key} of every row of {@code table} that belongs to {@code dataset}. */
    static List<String> storedKeys(CatalogRepository repository, String table, String key, String dataset) throws Exception {
        List<String> keys = new ArrayList<>();
        try (Connection c = repository.connection();
             PreparedStatement ps = c.prepareStatement("SELECT " + key + " FROM " + table + " WHERE dataset_id = ?")) {
            ps.setString(1, dataset);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    keys.add(rs.getString(1));
                }
            }
        }
        return keys;
    }

    private static void errors(RowErrors errors, List<String> problems) {
        errors.list().forEach(e -> problems.add("stored " + Inputs.abbreviate(e.getId()) + ": " + e.getField() + ": " + e.getMessage()));
    }

    private static <T> List<T> read(CatalogRepository repository, String table, String dataset, Parser<T> parser) throws Exception {
        List<T> rows = new ArrayList<>();
        try (Connection c = repository.connection();
             PreparedStatement ps = c.prepareStatement("SELECT payload FROM " + table + " WHERE dataset_id = ?")) {
            ps.setString(1, dataset);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(parse(parser, rs.getBytes(1)));
                }
            }
        }
        return rows;
    }

    private static <T> T parse(Parser<T> parser, byte[] payload) {
        try {
            return parser.parseFrom(payload);
        } catch (InvalidProtocolBufferException e) {
            throw new AssertionError("a stored payload is not a valid message", e);
        }
    }
}
