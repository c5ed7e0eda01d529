package dev.shoal.ingest.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import dev.shoal.ingest.domain.JsonTypes;
import dev.shoal.proto.common.v1.BatchResult;
import dev.shoal.proto.ingest.v1.Frame;
import dev.shoal.proto.ingest.v1.Inference;
import dev.shoal.proto.ingest.v1.Label;
import dev.shoal.proto.ingest.v1.ModelVersion;
import dev.shoal.proto.ingest.v1.UserEmbedding;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Supplier;

/**
 * Bulk import of JSON Lines: one object per line, {@code {"frame": {...}}}, {@code {"label": {...}}},
 * {@code {"inference": {...}}}, {@code {"embedding": {...}}} or {@code {"model_version": {...}}}, each body in
 * proto3-JSON. Streamed in chunks; frames are always flushed before the rows that refer to them, so a file may
 * interleave them freely. Rows missing {@code dataset_id} take the one given to the import.
 */
@ApplicationScoped
public class JsonlImporter {

    static final int CHUNK = 2000;
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @Inject
    CatalogService catalog;

    private final class Buffer<T extends Message> {
        final String kind;
        final BiFunction<List<T>, String, BatchResult> upsert;
        final List<T> rows = new ArrayList<>();
        final List<Integer> lines = new ArrayList<>();

        Buffer(String kind, BiFunction<List<T>, String, BatchResult> upsert) {
            this.kind = kind;
            this.upsert = upsert;
        }

        void flush(ImportReport report, String correlation) {
            if (rows.isEmpty()) {
                return;
            }
            List<Integer> lineNumbers = List.copyOf(lines);
            report.add(kind, upsert.apply(List.copyOf(rows), correlation), i -> "line " + lineNumbers.get(i));
            rows.clear();
            lines.clear();
        }
    }

    public ImportReport importJsonl(InputStream body, String defaultDataset, String correlation) throws IOException {
        ImportReport report = new ImportReport();
        Buffer<Frame> frames = new Buffer<>("frames", catalog::upsertFrames);
        Buffer<Label> labels = new Buffer<>("labels", catalog::upsertLabels);
        Buffer<Inference> inferences = new Buffer<>("inferences", catalog::upsertInferences);
        Buffer<UserEmbedding> embeddings = new Buffer<>("embeddings", catalog::upsertEmbeddings);
        List<Buffer<?>> dependents = List.of(labels, inferences, embeddings);
        long lineNo = 0;
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8), 1 << 16)) {
            String line;
            while ((line = reader.readLine()) != null) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                String where = "line " + lineNo;
                JsonNode node;
                try {
                    node = MAPPER.readTree(line);
                } catch (IOException e) {
                    report.refuse("lines", where, "", "not valid JSON: " + e.getMessage().split("\n")[0]);
                    continue;
                }
                if (!node.isObject() || node.size() != 1) {
                    report.refuse("lines", where, "", "expected an object with exactly one of frame, label, inference, embedding, model_version");
                    continue;
                }
                String kind = node.fieldNames().next();
                JsonNode value = node.get(kind);
                if (!value.isObject()) {
                    report.refuse("lines", where, kind, "must be a JSON object");
                    continue;
                }
                if (defaultDataset != null && !value.has("dataset_id") && !value.has("datasetId")) {
                    ((ObjectNode) value).put("dataset_id", defaultDataset);
                }
                int line32 = (int) Math.min(lineNo, Integer.MAX_VALUE);
                switch (kind) {
                    case "frame" -> add(frames, value, Frame::newBuilder, line32, report);
                    case "label" -> add(labels, value, Label::newBuilder, line32, report);
                    case "inference" -> add(inferences, value, Inference::newBuilder, line32, report);
                    case "embedding" -> add(embeddings, value, UserEmbedding::newBuilder, line32, report);
                    case "model_version" -> {
                        frames.flush(report, correlation);
                        try {
                            ModelVersion.Builder b = ModelVersion.newBuilder();
                            JsonTypes.Problem problem = JsonTypes.check(value, b.getDescriptorForType());
                            if (problem != null) {
                                report.refuse("model_versions", where, "model_version." + problem.field(), problem.message());
                                continue;
                            }
                            JsonFormat.parser().merge(value.toString(), b);
                            catalog.registerModelVersion(b.build(), correlation);
                        } catch (InvalidProtocolBufferException | InvalidRequestException | ConflictException e) {
                            report.refuse("model_versions", where, "model_version", e.getMessage());
                        }
                    }
                    default -> report.refuse("lines", where, kind, "unknown row kind '" + kind
                            + "' (expected frame, label, inference, embedding or model_version)");
                }
                if (frames.rows.size() >= CHUNK) {
                    frames.flush(report, correlation);
                }
                for (Buffer<?> b : dependents) {
                    if (b.rows.size() >= CHUNK) {
                        frames.flush(report, correlation);
                        b.flush(report, correlation);
                    }
                }
            }
        }
        frames.flush(report, correlation);
        for (Buffer<?> b : dependents) {
            b.flush(report, correlation);
        }
        report.note("lines", lineNo);
        return report;
    }

    private static <T extends Message> void add(Buffer<T> buffer, JsonNode value, Supplier<Message.Builder> builder, int line, ImportReport report) {
        Message.Builder b = builder.get();
        JsonTypes.Problem problem = JsonTypes.check(value, b.getDescriptorForType());
        if (problem != null) {
            report.refuse(buffer.kind, "line " + line, problem.field(), problem.message());
            return;
        }
        try {
            JsonFormat.parser().merge(value.toString(), b);
        } catch (InvalidProtocolBufferException e) {
            report.refuse(buffer.kind, "line " + line, "", "malformed row: " + e.getMessage());
            return;
        }
        @SuppressWarnings("unchecked")
        T row = (T) b.build();
        buffer.rows.add(row);
        buffer.lines.add(line);
    }
}
