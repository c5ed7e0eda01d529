package dev.shoal.ingest.domain;

import dev.shoal.ingest.config.IngestConfig;
import dev.shoal.proto.Inputs;
import dev.shoal.proto.ingest.v1.Box;
import dev.shoal.proto.ingest.v1.ClassProbability;
import dev.shoal.proto.ingest.v1.Dataset;
import dev.shoal.proto.ingest.v1.Frame;
import dev.shoal.proto.ingest.v1.Inference;
import dev.shoal.proto.ingest.v1.Label;
import dev.shoal.proto.ingest.v1.Modality;
import dev.shoal.proto.ingest.v1.ModelVersion;
import dev.shoal.proto.ingest.v1.Point;
import dev.shoal.proto.ingest.v1.Polygon;
import dev.shoal.proto.ingest.v1.ScoredBox;
import dev.shoal.proto.ingest.v1.Split;
import dev.shoal.proto.ingest.v1.UserEmbedding;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Validates batches row by row. Every rule names the row and the field; rows with errors are dropped, the
 * others are returned (normalised) to be stored. Plain Java: the catalog is reached through {@link CatalogView}.
 */
public final class BatchValidator {

    static final Set<String> URI_SCHEMES = Set.of("file", "http", "https", "s3", "gs", "data");

    /** Most entries of one repeated field or map; each is also bounded by its own rule ({@link Inputs}). */
    public static final int MAX_CLASS_NAMES = 10_000;
    public static final int MAX_URIS = 16;
    public static final int MAX_METADATA_ENTRIES = 256;
    public static final int MAX_SHAPES = 10_000;
    public static final int MAX_POLYGON_POINTS = 100_000;
    public static final int MAX_SCORES = 100_000;
    public static final int MAX_VECTOR = 65_536;

    private final CatalogView catalog;
    private final double probabilityTolerance;
    private final double boxTolerance;
    /** Class-name sets by dataset id, each remembering the list it was built from; cleared if it grows large. */
    private final Map<String, Schema> schemas = new java.util.concurrent.ConcurrentHashMap<>();

    private record Schema(List<String> source, Set<String> names) {
    }

    public BatchValidator(CatalogView catalog, double probabilityTolerance, double boxTolerance) {
        this.catalog = catalog;
        this.probabilityTolerance = probabilityTolerance;
        this.boxTolerance = boxTolerance;
    }

    public BatchValidator(CatalogView catalog, IngestConfig config) {
        this(catalog, config.probabilityTolerance(), config.boxTolerancePx());
    }

    /** The rows that passed, in request order, and the errors of the others. */
    public record Checked<T>(List<T> valid, RowErrors errors) {
    }

    // ------------------------------------------------------------------ datasets

    public Optional<String> checkDataset(Dataset d) {
        String p = Ids.problem(d.getId(), Ids.DATASET_ID);
        if (p != null) {
            return Optional.of("dataset.id " + p);
        }
        if (d.getModality() == Modality.UNRECOGNIZED) {
            return Optional.of("dataset.modality is not a known modality");
        }
        p = firstTextProblem("dataset.", "name", d.getName(), Inputs.MAX_NAME_BYTES, "description", d.getDescription(), Inputs.MAX_TEXT_BYTES);
        if (p != null) {
            return Optional.of(p);
        }
        if (d.getClassNamesCount() > MAX_CLASS_NAMES) {
            return Optional.of("dataset.class_names has " + d.getClassNamesCount() + " names, more than " + MAX_CLASS_NAMES);
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < d.getClassNamesCount(); i++) {
            String c = d.getClassNames(i);
            if (c.isBlank()) {
                return Optional.of("dataset.class_names[" + i + "] is empty");
            }
            p = Inputs.textProblem(c, Inputs.MAX_NAME_BYTES);
            if (p != null) {
                return Optional.of("dataset.class_names[" + i + "] " + p);
            }
            if (!seen.add(c)) {
                return Optional.of("dataset.class_names[" + i + "] '" + c + "' is listed twice");
            }
        }
        return Optional.empty();
    }

    public Optional<String> checkModelVersion(ModelVersion m) {
        String p = Ids.problem(m.getDatasetId(), Ids.DATASET_ID);
        if (p != null) {
            return Optional.of("model_version.dataset_id " + p);
        }
        if (catalog.dataset(m.getDatasetId()).isEmpty()) {
            return Optional.of("model_version.dataset_id: unknown dataset '" + m.getDatasetId() + "'");
        }
        p = Ids.problem(m.getModelId(), Ids.ENTITY_ID);
        if (p != null) {
            return Optional.of("model_version.model_id " + p);
        }
        p = Ids.problem(m.getVersion(), Ids.ENTITY_ID);
        if (p != null) {
            return Optional.of("model_version.version " + p);
        }
        if (m.getEmbeddingDimension() < 0 || m.getEmbeddingDimension() > MAX_VECTOR) {
            return Optional.of("model_version.embedding_dimension must be in [0, " + MAX_VECTOR + "], was " + m.getEmbeddingDimension());
        }
        for (var optionalId : List.of(Map.entry("parent_version", m.getParentVersion()), Map.entry("retrain_request_id", m.getRetrainRequestId()))) {
            if (!optionalId.getValue().isEmpty() && (p = Inputs.idProblem(optionalId.getValue())) != null) {
                return Optional.of("model_version." + optionalId.getKey() + " " + p);
            }
        }
        p = firstTextProblem("model_version.", "framework", m.getFramework(), Inputs.MAX_NAME_BYTES,
                "description", m.getDescription(), Inputs.MAX_TEXT_BYTES);
        if (p != null) {
            return Optional.of(p);
        }
        if (m.getMetricsCount() > MAX_METADATA_ENTRIES) {
            return Optional.of("model_version.metrics has " + m.getMetricsCount() + " entries, more than " + MAX_METADATA_ENTRIES);
        }
        for (var e : m.getMetricsMap().entrySet()) {
            p = firstTextProblem("model_version.metrics", "", e.getKey(), Inputs.MAX_NAME_BYTES,
                    "[" + Inputs.abbreviate(e.getKey()) + "]", e.getValue(), Inputs.MAX_TEXT_BYTES);
            if (p != null) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    // ------------------------------------------------------------------ frames

    public Checked<Frame> frames(List<Frame> frames) {
        RowErrors errors = new RowErrors("frames");
        markDuplicates(frames, f -> List.of(f.getDatasetId(), f.getId()), Frame::getId, errors);
        Map<String, Optional<Dataset>> datasets = new HashMap<>();
        List<Frame> valid = new ArrayList<>(frames.size());
        for (int i = 0; i < frames.size(); i++) {
            Frame f = frames.get(i);
            Dataset dataset = requireDataset(f.getDatasetId(), i, f.getId(), datasets, errors);
            idCheck(f.getId(), "id", i, errors);
            if (f.getUrisCount() == 0) {
                errors.add(i, f.getId(), "uris", "at least one data URI is required");
            } else if (f.getUrisCount() > MAX_URIS) {
                errors.add(i, f.getId(), "uris", "has " + f.getUrisCount() + " URIs, more than " + MAX_URIS);
            }
            for (int u = 0; u < f.getUrisCount() && u < MAX_URIS; u++) {
                String problem = uriProblem(f.getUris(u));
                if (problem != null) {
                    errors.add(i, f.getId(), "uris[" + u + "]", problem);
                }
            }
            if (f.getModality() == Modality.UNRECOGNIZED) {
                errors.add(i, f.getId(), "modality", "is not a known modality");
            } else if (dataset != null && dataset.getModality() != Modality.MODALITY_UNSPECIFIED
                    && f.getModality() != Modality.MODALITY_UNSPECIFIED && f.getModality() != dataset.getModality()) {
                errors.add(i, f.getId(), "modality", f.getModality() + " does not match the dataset's " + dataset.getModality());
            }
            if (f.getSplit() == Split.UNRECOGNIZED) {
                errors.add(i, f.getId(), "split", "is not a known split");
            }
            if (f.getWidth() < 0 || f.getHeight() < 0) {
                errors.add(i, f.getId(), f.getWidth() < 0 ? "width" : "height", "must not be negative");
            }
            if (f.getMetadataCount() > MAX_METADATA_ENTRIES) {
                errors.add(i, f.getId(), "metadata", "has " + f.getMetadataCount() + " entries, more than " + MAX_METADATA_ENTRIES);
            } else {
                for (var entry : f.getMetadataMap().entrySet()) {
                    String key = entry.getKey();
                    String p = key.isBlank() ? "keys must not be empty" : Inputs.textProblem(key, Inputs.MAX_NAME_BYTES);
                    if (p != null) {
                        errors.add(i, f.getId(), "metadata", (key.isBlank() ? "" : "key '" + Inputs.abbreviate(key) + "' ") + p);
                    } else if ((p = Inputs.textProblem(entry.getValue(), Inputs.MAX_TEXT_BYTES)) != null) {
                        errors.add(i, f.getId(), "metadata." + Inputs.abbreviate(key), p);
                    }
                }
            }
            if (!errors.isBad(i)) {
                Frame.Builder normalized = f.toBuilder();
                if (f.getModality() == Modality.MODALITY_UNSPECIFIED && dataset != null) {
                    normalized.setModality(dataset.getModality());
                }
                valid.add(normalized.build());
            }
        }
        return new Checked<>(valid, errors);
    }

    static String uriProblem(String uri) {
        if (uri == null || uri.isBlank()) {
            return "is empty";
        }
        String text = Inputs.textProblem(uri, Inputs.MAX_URI_BYTES);
        if (text != null) {
            return text;
        }
        if (uri.startsWith("data:")) {
            return uri.indexOf(',') > 0 ? null : "data: URI has no ',' before its content";
        }
        try {
            URI parsed = new URI(uri);
            String scheme = parsed.getScheme();
            if (scheme == null) {
                return "'" + Ids.abbreviate(uri) + "' has no scheme (expected one of " + URI_SCHEMES + ")";
            }
            if (!URI_SCHEMES.contains(scheme.toLowerCase())) {
                return "scheme '" + scheme + "' is not supported (expected one of " + URI_SCHEMES + ")";
            }
            if ((scheme.startsWith("http") || scheme.equals("s3") || scheme.equals("gs")) && parsed.getHost() == null) {
                return "'" + Ids.abbreviate(uri) + "' has no host";
            }
            return null;
        } catch (URISyntaxException e) {
            return "is not a valid URI: " + e.getMessage();
        }
    }

    // ------------------------------------------------------------------ labels

    public Checked<Label> labels(List<Label> labels) {
        RowErrors errors = new RowErrors("labels");
        markDuplicates(labels, l -> List.of(l.getDatasetId(), l.getFrameId(), l.getLabelSet(), l.getLabelerId()),
                Label::getFrameId, errors);
        Map<String, Optional<Dataset>> datasets = new HashMap<>();
        Map<String, Map<String, CatalogView.FrameSize>> frames = lookupFrames(labels, Label::getDatasetId, Label::getFrameId,
                l -> l.getAnnotationCase() != Label.AnnotationCase.CLASSIFICATION);
        List<Label> valid = new ArrayList<>(labels.size());
        for (int i = 0; i < labels.size(); i++) {
            Label l = labels.get(i);
            Dataset dataset = requireDataset(l.getDatasetId(), i, l.getFrameId(), datasets, errors);
            CatalogView.FrameSize size = requireFrame(dataset, l.getDatasetId(), l.getFrameId(), i, frames, errors);
            idCheck(l.getLabelerId(), "labeler_id", i, errors, l.getFrameId());
            idCheck(l.getLabelSet(), "label_set", i, errors, l.getFrameId());
            Set<String> schema = schemaOf(dataset);
            switch (l.getAnnotationCase()) {
                case CLASSIFICATION -> checkClass(l.getClassification().getClassName(), "classification.class_name", schema, i, l.getFrameId(), errors);
                case BOXES -> {
                    if (l.getBoxes().getBoxesCount() == 0) {
                        // an empty box set is a valid statement: "nothing to label on this frame"
                        break;
                    }
                    if (tooMany(l.getBoxes().getBoxesCount(), MAX_SHAPES, "boxes.boxes", i, l.getFrameId(), errors)) {
                        break;
                    }
                    for (int b = 0; b < l.getBoxes().getBoxesCount(); b++) {
                        checkBox(l.getBoxes().getBoxes(b), "boxes.boxes[" + b + "]", schema, size, i, l.getFrameId(), errors);
                    }
                }
                case POLYGONS -> {
                    if (tooMany(l.getPolygons().getPolygonsCount(), MAX_SHAPES, "polygons.polygons", i, l.getFrameId(), errors)) {
                        break;
                    }
                    for (int p = 0; p < l.getPolygons().getPolygonsCount(); p++) {
                        checkPolygon(l.getPolygons().getPolygons(p), "polygons.polygons[" + p + "]", schema, size, i, l.getFrameId(), errors);
                    }
                }
                case ANNOTATION_NOT_SET -> errors.add(i, l.getFrameId(), "annotation", "one of classification, boxes or polygons is required");
            }
            if (!errors.isBad(i)) {
                valid.add(l);
            }
        }
        return new Checked<>(valid, errors);
    }

    // ------------------------------------------------------------------ inferences

    public Checked<Inference> inferences(List<Inference> inferences) {
        RowErrors errors = new RowErrors("inferences");
        markDuplicates(inferences, x -> List.of(x.getDatasetId(), x.getFrameId(), x.getModelId(), x.getModelVersion()),
                Inference::getFrameId, errors);
        Map<String, Optional<Dataset>> datasets = new HashMap<>();
        Map<String, Map<String, CatalogView.FrameSize>> frames = lookupFrames(inferences, Inference::getDatasetId, Inference::getFrameId,
                x -> x.getOutputCase() != Inference.OutputCase.CLASSIFICATION);
        List<Inference> valid = new ArrayList<>(inferences.size());
        for (int i = 0; i < inferences.size(); i++) {
            Inference x = inferences.get(i);
            Dataset dataset = requireDataset(x.getDatasetId(), i, x.getFrameId(), datasets, errors);
            CatalogView.FrameSize size = requireFrame(dataset, x.getDatasetId(), x.getFrameId(), i, frames, errors);
            idCheck(x.getModelId(), "model_id", i, errors, x.getFrameId());
            idCheck(x.getModelVersion(), "model_version", i, errors, x.getFrameId());
            Set<String> schema = schemaOf(dataset);
            switch (x.getOutputCase()) {
                case CLASSIFICATION -> checkProbabilities(x, schema, i, errors);
                case BOXES -> {
                    if (tooMany(x.getBoxes().getBoxesCount(), MAX_SHAPES, "boxes.boxes", i, x.getFrameId(), errors)) {
                        break;
                    }
                    for (int b = 0; b < x.getBoxes().getBoxesCount(); b++) {
                        ScoredBox sb = x.getBoxes().getBoxes(b);
                        String field = "boxes.boxes[" + b + "]";
                        if (!sb.hasBox()) {
                            errors.add(i, x.getFrameId(), field + ".box", "is required");
                            continue;
                        }
                        checkBox(sb.getBox(), field + ".box", schema, size, i, x.getFrameId(), errors);
                        if (!Float.isFinite(sb.getScore()) || sb.getScore() < 0 || sb.getScore() > 1) {
                            errors.add(i, x.getFrameId(), field + ".score", "must be a number in [0, 1], was " + sb.getScore());
                        }
                    }
                }
                case OUTPUT_NOT_SET -> errors.add(i, x.getFrameId(), "output", "one of classification or boxes is required");
            }
            if (!errors.isBad(i)) {
                valid.add(x);
            }
        }
        return new Checked<>(valid, errors);
    }

    private void checkProbabilities(Inference x, Set<String> schema, int i, RowErrors errors) {
        List<ClassProbability> scores = x.getClassification().getScoresList();
        if (scores.isEmpty()) {
            errors.add(i, x.getFrameId(), "classification.scores", "at least one class probability is required");
            return;
        }
        if (tooMany(scores.size(), MAX_SCORES, "classification.scores", i, x.getFrameId(), errors)) {
            return;
        }
        double sum = 0;
        boolean finite = true;
        Set<String> seen = new HashSet<>();
        for (int c = 0; c < scores.size(); c++) {
            ClassProbability p = scores.get(c);
            // field names are built only for an error: this loop runs for every class of every inference
            String classProblem = classProblem(p.getClassName(), schema);
            if (classProblem != null) {
                errors.add(i, x.getFrameId(), "classification.scores[" + c + "].class_name", classProblem);
            }
            if (!seen.add(p.getClassName())) {
                errors.add(i, x.getFrameId(), "classification.scores[" + c + "].class_name", "'" + p.getClassName() + "' appears twice");
            }
            float v = p.getProbability();
            if (!Float.isFinite(v)) {
                errors.add(i, x.getFrameId(), "classification.scores[" + c + "].probability", "must be a finite number, was " + v);
                finite = false;
            } else if (v < 0 || v > 1) {
                errors.add(i, x.getFrameId(), "classification.scores[" + c + "].probability", "must be in [0, 1], was " + v);
            }
            sum += v;
        }
        if (finite && Math.abs(sum - 1.0) > probabilityTolerance) {
            errors.add(i, x.getFrameId(), "classification.scores",
                    String.format("probabilities sum to %.6f, not 1 (tolerance %s)", sum, probabilityTolerance));
        }
    }

    // ------------------------------------------------------------------ embeddings

    public Checked<UserEmbedding> embeddings(List<UserEmbedding> embeddings) {
        RowErrors errors = new RowErrors("embeddings");
        markDuplicates(embeddings, e -> List.of(e.getDatasetId(), e.getFrameId(), e.getModelId(), e.getModelVersion()),
                UserEmbedding::getFrameId, errors);
        Map<String, Optional<Dataset>> datasets = new HashMap<>();
        Map<String, Map<String, CatalogView.FrameSize>> frames = lookupFrames(embeddings, UserEmbedding::getDatasetId, UserEmbedding::getFrameId,
                e -> false);
        Map<String, Integer> dimensions = new HashMap<>();
        List<UserEmbedding> valid = new ArrayList<>(embeddings.size());
        for (int i = 0; i < embeddings.size(); i++) {
            UserEmbedding e = embeddings.get(i);
            Dataset dataset = requireDataset(e.getDatasetId(), i, e.getFrameId(), datasets, errors);
            requireFrame(dataset, e.getDatasetId(), e.getFrameId(), i, frames, errors);
            idCheck(e.getModelId(), "model_id", i, errors, e.getFrameId());
            idCheck(e.getModelVersion(), "model_version", i, errors, e.getFrameId());
            if (e.getVectorCount() == 0) {
                errors.add(i, e.getFrameId(), "vector", "must not be empty");
            }
            tooMany(e.getVectorCount(), MAX_VECTOR, "vector", i, e.getFrameId(), errors);
            for (int v = 0; v < e.getVectorCount(); v++) {
                if (!Float.isFinite(e.getVector(v))) {
                    errors.add(i, e.getFrameId(), "vector[" + v + "]", "must be a finite number, was " + e.getVector(v));
                    break;
                }
            }
            if (!errors.isBad(i)) {
                String key = e.getDatasetId() + "\u0000" + e.getModelId() + "\u0000" + e.getModelVersion();
                Integer expected = dimensions.computeIfAbsent(key, k -> {
                    OptionalInt known = catalog.embeddingDimension(e.getDatasetId(), e.getModelId(), e.getModelVersion());
                    return known.isPresent() ? known.getAsInt() : null;
                });
                if (expected == null) {
                    dimensions.put(key, e.getVectorCount()); // the first vector of a new model version fixes its dimension
                } else if (expected != e.getVectorCount()) {
                    errors.add(i, e.getFrameId(), "vector", "has dimension " + e.getVectorCount() + " but model_id "
                            + e.getModelId() + " model_version " + e.getModelVersion() + " has dimension " + expected);
                }
            }
            if (!errors.isBad(i)) {
                valid.add(e);
            }
        }
        return new Checked<>(valid, errors);
    }

    // ------------------------------------------------------------------ shared rules

    private Dataset requireDataset(String datasetId, int i, String rowId, Map<String, Optional<Dataset>> cache, RowErrors errors) {
        String p = Ids.problem(datasetId, Ids.DATASET_ID);
        if (p != null) {
            errors.add(i, rowId, "dataset_id", p);
            return null;
        }
        Optional<Dataset> d = cache.computeIfAbsent(datasetId, catalog::dataset);
        if (d.isEmpty()) {
            errors.add(i, rowId, "dataset_id", "unknown dataset '" + datasetId + "' (create it first)");
            return null;
        }
        return d.get();
    }

    /** The dataset's class names as a set (empty = no schema), built once per dataset definition. */
    private Set<String> schemaOf(Dataset dataset) {
        if (dataset == null || dataset.getClassNamesCount() == 0) {
            return Set.of();
        }
        List<String> source = dataset.getClassNamesList();
        Schema cached = schemas.get(dataset.getId());
        if (cached != null && cached.source() == source) { // the same (immutable) Dataset message as last time
            return cached.names();
        }
        if (schemas.size() > 10_000) {
            schemas.clear();
        }
        Schema fresh = new Schema(source, Set.copyOf(source));
        schemas.put(dataset.getId(), fresh);
        return fresh.names();
    }

    private CatalogView.FrameSize requireFrame(Dataset dataset, String datasetId, String frameId, int i,
                                               Map<String, Map<String, CatalogView.FrameSize>> frames, RowErrors errors) {
        if (Ids.problem(frameId, Ids.ENTITY_ID) != null) {
            errors.add(i, frameId, "frame_id", Ids.problem(frameId, Ids.ENTITY_ID));
            return null;
        }
        if (dataset == null) {
            return null;
        }
        CatalogView.FrameSize size = frames.getOrDefault(datasetId, Map.of()).get(frameId);
        if (size == null) {
            errors.add(i, frameId, "frame_id", "unknown frame '" + Ids.abbreviate(frameId) + "' in dataset '" + datasetId + "' (upsert the frame first)");
        }
        return size;
    }

    /** Stands for "the frame exists" where its size is not needed and was not read. */
    private static final CatalogView.FrameSize SIZE_NOT_READ = new CatalogView.FrameSize(0, 0);

    /**
     * The frames the rows refer to, by dataset. A frame that this process committed itself
     * ({@link CatalogView#knownFrame}) is not read again when its row needs no image size ({@code needsSize}:
     * boxes and polygons are checked against the size, which another writer may have changed); the others are
     * read in one query per dataset.
     */
    private <T> Map<String, Map<String, CatalogView.FrameSize>> lookupFrames(List<T> rows, Function<T, String> dataset, Function<T, String> frame,
                                                                           Predicate<T> needsSize) {
        Map<String, Set<String>> wanted = new LinkedHashMap<>();
        Map<String, Map<String, CatalogView.FrameSize>> found = new HashMap<>();
        for (T row : rows) {
            String d = dataset.apply(row);
            String f = frame.apply(row);
            if (Ids.problem(f, Ids.ENTITY_ID) != null) {
                continue; // refused by requireFrame; never sent to the database (a NUL would fail the whole query)
            }
            if (!needsSize.test(row) && catalog.knownFrame(d, f)) {
                found.computeIfAbsent(d, k -> new HashMap<>()).put(f, SIZE_NOT_READ);
            } else {
                wanted.computeIfAbsent(d, k -> new HashSet<>()).add(f);
            }
        }
        wanted.forEach((d, ids) -> {
            if (Ids.problem(d, Ids.DATASET_ID) == null) {
                found.computeIfAbsent(d, k -> new HashMap<>()).putAll(catalog.frames(d, ids));
            }
        });
        return found;
    }

    private static void idCheck(String id, String field, int i, RowErrors errors) {
        idCheck(id, field, i, errors, id);
    }

    private static void idCheck(String id, String field, int i, RowErrors errors, String rowId) {
        String p = Ids.problem(id, Ids.ENTITY_ID);
        if (p != null) {
            errors.add(i, rowId, field, p);
        }
    }

    private static boolean tooMany(int count, int max, String field, int i, String rowId, RowErrors errors) {
        if (count > max) {
            errors.add(i, rowId, field, "has " + count + " entries, more than " + max);
            return true;
        }
        return false;
    }

    /** "prefix + field + problem" for the first of (field, value, max bytes) triples whose text breaks {@link Inputs#textProblem}. */
    private static String firstTextProblem(String prefix, Object... fieldValueMax) {
        for (int k = 0; k + 2 < fieldValueMax.length; k += 3) {
            String p = Inputs.textProblem((String) fieldValueMax[k + 1], (Integer) fieldValueMax[k + 2]);
            if (p != null) {
                return prefix + fieldValueMax[k] + " " + p;
            }
        }
        return null;
    }

    private static void checkClass(String className, String field, Set<String> schema, int i, String rowId, RowErrors errors) {
        String problem = classProblem(className, schema);
        if (problem != null) {
            errors.add(i, rowId, field, problem);
        }
    }

    private static String classProblem(String className, Set<String> schema) {
        if (className == null || className.isBlank()) {
            return "is required";
        }
        String text = Inputs.textProblem(className, Inputs.MAX_NAME_BYTES);
        if (text != null) {
            return text;
        }
        if (!schema.isEmpty() && !schema.contains(className)) {
            return "'" + Ids.abbreviate(className) + "' is not a class of the dataset's label schema";
        }
        return null;
    }

    private void checkBox(Box box, String field, Set<String> schema, CatalogView.FrameSize size, int i, String rowId, RowErrors errors) {
        checkClass(box.getClassName(), field + ".class_name", schema, i, rowId, errors);
        float[] v = {box.getX(), box.getY(), box.getWidth(), box.getHeight()};
        String[] names = {"x", "y", "width", "height"};
        for (int k = 0; k < 4; k++) {
            if (!Float.isFinite(v[k])) {
                errors.add(i, rowId, field + "." + names[k], "must be a finite number, was " + v[k]);
                return;
            }
        }
        if (box.getWidth() <= 0 || box.getHeight() <= 0) {
            errors.add(i, rowId, field, "width and height must be positive, were " + box.getWidth() + " x " + box.getHeight());
            return;
        }
        if (size != null && size.width() > 0 && size.height() > 0) {
            double t = boxTolerance;
            if (box.getX() < -t || box.getY() < -t || box.getX() + box.getWidth() > size.width() + t
                    || box.getY() + box.getHeight() > size.height() + t) {
                errors.add(i, rowId, field, String.format("box [x=%s, y=%s, w=%s, h=%s] lies outside the %dx%d image",
                        box.getX(), box.getY(), box.getWidth(), box.getHeight(), size.width(), size.height()));
            }
        }
    }

    private void checkPolygon(Polygon polygon, String field, Set<String> schema, CatalogView.FrameSize size, int i, String rowId, RowErrors errors) {
        checkClass(polygon.getClassName(), field + ".class_name", schema, i, rowId, errors);
        if (polygon.getPointsCount() < 3) {
            errors.add(i, rowId, field + ".points", "a polygon needs at least 3 points, had " + polygon.getPointsCount());
            return;
        }
        if (tooMany(polygon.getPointsCount(), MAX_POLYGON_POINTS, field + ".points", i, rowId, errors)) {
            return;
        }
        for (int p = 0; p < polygon.getPointsCount(); p++) {
            Point pt = polygon.getPoints(p);
            if (!Float.isFinite(pt.getX()) || !Float.isFinite(pt.getY())) {
                errors.add(i, rowId, field + ".points[" + p + "]", "must be finite, was (" + pt.getX() + ", " + pt.getY() + ")");
                return;
            }
            if (size != null && size.width() > 0 && size.height() > 0) {
                double t = boxTolerance;
                if (pt.getX() < -t || pt.getY() < -t || pt.getX() > size.width() + t || pt.getY() > size.height() + t) {
                    errors.add(i, rowId, field + ".points[" + p + "]", "(" + pt.getX() + ", " + pt.getY() + ") lies outside the "
                            + size.width() + "x" + size.height() + " image");
                    return;
                }
            }
        }
    }

    /** Every row whose natural key appears more than once in the batch is refused: which one is right is unknowable. */
    /** Keys are lists of the key's fields: hashing them reuses each String's cached hash (no concatenation per row). */
    private static <T> void markDuplicates(List<T> rows, Function<T, List<String>> key, Function<T, String> rowId, RowErrors errors) {
        Map<List<String>, Integer> first = new HashMap<>(rows.size() * 2);
        Map<List<String>, Boolean> reported = new HashMap<>();
        for (int i = 0; i < rows.size(); i++) {
            List<String> k = key.apply(rows.get(i));
            Integer prev = first.putIfAbsent(k, i);
            if (prev != null) {
                if (reported.putIfAbsent(k, true) == null) {
                    errors.add(prev, rowId.apply(rows.get(prev)), "", "duplicate key inside the batch (also at index " + i + ")");
                }
                errors.add(i, rowId.apply(rows.get(i)), "", "duplicate key inside the batch (first at index " + prev + ")");
            }
        }
    }
}
