package dev.shoal.ingest.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.shoal.ingest.store.CatalogRepository;
import dev.shoal.proto.Inputs;
import dev.shoal.ingest.store.StoreException;
import dev.shoal.proto.ingest.v1.Box;
import dev.shoal.proto.ingest.v1.BoxSet;
import dev.shoal.proto.ingest.v1.ClassLabel;
import dev.shoal.proto.ingest.v1.Frame;
import dev.shoal.proto.ingest.v1.Inference;
import dev.shoal.proto.ingest.v1.Label;
import dev.shoal.proto.ingest.v1.Point;
import dev.shoal.proto.ingest.v1.Polygon;
import dev.shoal.proto.ingest.v1.PolygonSet;
import dev.shoal.proto.ingest.v1.ScoredBox;
import dev.shoal.proto.ingest.v1.ScoredBoxes;
import dev.shoal.proto.ingest.v1.Split;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Imports COCO files (https://cocodataset.org/#format-data) as written by any tool: the ground-truth object
 * ({@code images}, {@code annotations}, {@code categories}) as frames + labels, and the results format (a bare
 * array of {@code {image_id, category_id, bbox, score}}) as inferences. Tolerant where tools differ: string or
 * numeric ids, missing {@code width}/{@code height}, {@code coco_url}/{@code flickr_url} or a file name under an
 * image root, polygon or RLE segmentation (RLE is kept as its bbox), crowd regions skipped and counted, an
 * annotator id in {@code labeler_id}/{@code annotator}/{@code attributes.annotator} when present.
 */
@ApplicationScoped
public class CocoImporter {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    public enum Annotation { AUTO, BOXES, POLYGONS, CLASSIFICATION }

    public record Options(String datasetId, String labelSet, String labelerId, String imageRoot, Split split,
                          Annotation annotation, String modelId, String modelVersion) {
    }

    @Inject
    CatalogService catalog;

    @Inject
    CatalogRepository repository;

    public ImportReport importCoco(InputStream body, Options options, String correlation) throws IOException {
        if (catalog.listDatasets().stream().noneMatch(d -> d.getId().equals(options.datasetId()))) {
            throw new InvalidRequestException("dataset_id: unknown dataset '" + options.datasetId() + "' (create it first)");
        }
        JsonNode root;
        try {
            root = MAPPER.readTree(body);
        } catch (IOException e) {
            throw new InvalidRequestException("the body is not valid JSON: " + e.getMessage().split("\n")[0]);
        }
        if (root == null) {
            throw new InvalidRequestException("the body is empty");
        }
        ImportReport report = new ImportReport();
        if (root.isArray()) {
            importResults(root, options, report, correlation);
        } else if (root.isObject() && root.has("images")) {
            importGroundTruth(root, options, report, correlation);
        } else {
            throw new InvalidRequestException("not a COCO file: expected an object with 'images', 'annotations' and "
                    + "'categories', or a results array of detections");
        }
        return report;
    }

    // ------------------------------------------------------------------ ground truth: frames + labels

    private void importGroundTruth(JsonNode root, Options o, ImportReport report, String correlation) {
        Map<String, String> categories = categories(root.path("categories"), report);
        saveCategories(o.datasetId(), categories);
        Map<String, Frame> frames = new LinkedHashMap<>();
        JsonNode images = root.path("images");
        for (int i = 0; i < images.size(); i++) {
            JsonNode img = images.get(i);
            String where = "images[" + i + "]";
            String id = idText(img.get("id"));
            if (id == null) {
                report.refuse("frames", where, "id", "is required");
                continue;
            }
            String uri;
            try {
                uri = imageUri(img, o.imageRoot());
            } catch (IllegalArgumentException e) {
                report.refuse("frames", where, "file_name", e.getMessage());
                continue;
            }
            if (uri == null) {
                report.refuse("frames", where, "file_name", "no coco_url/flickr_url and no image_root to resolve file_name against");
                continue;
            }
            Frame.Builder f = Frame.newBuilder().setDatasetId(o.datasetId()).setId(id).addUris(uri)
                    .setWidth(img.path("width").asInt(0)).setHeight(img.path("height").asInt(0)).setSplit(o.split());
            for (Iterator<Map.Entry<String, JsonNode>> it = img.fields(); it.hasNext(); ) {
                var e = it.next();
                if (e.getValue().isValueNode() && !e.getValue().isNull()
                        && !List.of("id", "width", "height", "coco_url", "flickr_url").contains(e.getKey())) {
                    f.putMetadata(e.getKey(), e.getValue().asText());
                }
            }
            frames.put(id, f.build());
        }
        List<String> frameOrder = new ArrayList<>(frames.keySet());
        chunked(new ArrayList<>(frames.values()), chunk -> catalog.upsertFrames(chunk, correlation),
                "frames", base -> i -> "images[" + index(images, frameOrder.get(base + i)) + "]", report);

        JsonNode annotations = root.path("annotations");
        boolean anyBox = false;
        for (JsonNode a : annotations) {
            anyBox |= a.has("bbox") && a.get("bbox").isArray() && a.get("bbox").size() == 4;
        }
        Annotation kind = o.annotation() != Annotation.AUTO ? o.annotation() : anyBox ? Annotation.BOXES : Annotation.CLASSIFICATION;
        // (image, labeler) -> the label being assembled
        Map<String, Label.Builder> labels = new LinkedHashMap<>();
        Map<String, String> firstAnnotation = new HashMap<>();
        int crowd = 0;
        for (int i = 0; i < annotations.size(); i++) {
            JsonNode a = annotations.get(i);
            String where = "annotations[" + i + "]";
            if (a.path("iscrowd").asInt(0) == 1) {
                crowd++;
                continue;
            }
            String imageId = idText(a.get("image_id"));
            if (imageId == null || !frames.containsKey(imageId)) {
                report.refuse("labels", where, "image_id", imageId == null ? "is required" : "refers to no image of the file ('" + imageId + "')");
                continue;
            }
            String category = categories.get(idText(a.get("category_id")));
            if (category == null) {
                report.refuse("labels", where, "category_id", "refers to no category of the file ('" + idText(a.get("category_id")) + "')");
                continue;
            }
            String labeler = labelerOf(a, o.labelerId());
            Label.Builder label = labels.computeIfAbsent(imageId + "\u0000" + labeler, k -> Label.newBuilder()
                    .setDatasetId(o.datasetId()).setFrameId(imageId).setLabelerId(labeler).setLabelSet(o.labelSet()));
            firstAnnotation.putIfAbsent(imageId + "\u0000" + labeler, where);
            switch (kind) {
                case BOXES -> {
                    float[] bbox = bbox(a);
                    if (bbox == null) {
                        report.refuse("labels", where, "bbox", "expected [x, y, width, height]");
                        continue;
                    }
                    label.getBoxesBuilder().addBoxes(box(category, bbox));
                }
                case POLYGONS -> {
                    JsonNode seg = a.path("segmentation");
                    if (!seg.isArray() || seg.isEmpty()) {
                        report.refuse("labels", where, "segmentation", "expected polygon lists [[x1, y1, x2, y2, ...]] (RLE cannot be a polygon)");
                        continue;
                    }
                    for (JsonNode ring : seg) {
                        Polygon.Builder p = Polygon.newBuilder().setClassName(category);
                        for (int k = 0; k + 1 < ring.size(); k += 2) {
                            p.addPoints(Point.newBuilder().setX((float) ring.get(k).asDouble()).setY((float) ring.get(k + 1).asDouble()));
                        }
                        label.getPolygonsBuilder().addPolygons(p);
                    }
                }
                case CLASSIFICATION, AUTO -> {
                    if (label.hasClassification() && !label.getClassification().getClassName().equals(category)) {
                        report.refuse("labels", where, "category_id", "image " + imageId + " already has class '"
                                + label.getClassification().getClassName() + "' from this labeler; a classification label has one class");
                        continue;
                    }
                    label.setClassification(ClassLabel.newBuilder().setClassName(category));
                }
            }
        }
        if (kind == Annotation.BOXES) {
            // an image without boxes is a statement too: nothing to find there
            for (String imageId : frames.keySet()) {
                boolean labeled = labels.keySet().stream().anyMatch(k -> k.startsWith(imageId + "\u0000"));
                if (!labeled) {
                    labels.put(imageId + "\u0000" + o.labelerId(), Label.newBuilder().setDatasetId(o.datasetId()).setFrameId(imageId)
                            .setLabelerId(o.labelerId()).setLabelSet(o.labelSet()).setBoxes(BoxSet.getDefaultInstance()));
                }
            }
        }
        List<String> keys = new ArrayList<>(labels.keySet());
        List<Label> built = labels.values().stream().map(Label.Builder::build).toList();
        chunked(built, chunk -> catalog.upsertLabels(chunk, correlation), "labels",
                base -> i -> firstAnnotation.getOrDefault(keys.get(base + i), "images (frame " + built.get(base + i).getFrameId() + ")"), report);
        report.note("format", "coco");
        report.note("annotation", kind.name().toLowerCase());
        report.note("images", images.size());
        report.note("annotations", annotations.size());
        report.note("crowd_annotations_skipped", crowd);
    }

    // ------------------------------------------------------------------ results: inferences

    private void importResults(JsonNode root, Options o, ImportReport report, String correlation) {
        if (o.modelId() == null || o.modelId().isBlank() || o.modelVersion() == null || o.modelVersion().isBlank()) {
            throw new InvalidRequestException("model_id and model_version are required to import a COCO results file as inferences");
        }
        Map<String, String> categories = loadCategories(o.datasetId());
        if (categories.isEmpty()) {
            throw new InvalidRequestException("dataset '" + o.datasetId() + "' has no COCO categories yet: import its COCO "
                    + "ground truth first, so the results' category ids can be named");
        }
        Map<String, ScoredBoxes.Builder> byImage = new LinkedHashMap<>();
        Map<String, String> firstWhere = new HashMap<>();
        for (int i = 0; i < root.size(); i++) {
            JsonNode r = root.get(i);
            String where = "[" + i + "]";
            String imageId = idText(r.get("image_id"));
            String category = categories.get(idText(r.get("category_id")));
            float[] bbox = bbox(r);
            if (imageId == null) {
                report.refuse("inferences", where, "image_id", "is required");
            } else if (category == null) {
                report.refuse("inferences", where, "category_id", "is not a category of the dataset's COCO import ('" + idText(r.get("category_id")) + "')");
            } else if (bbox == null) {
                report.refuse("inferences", where, "bbox", "expected [x, y, width, height]");
            } else if (!r.has("score")) {
                report.refuse("inferences", where, "score", "is required in a results file");
            } else {
                byImage.computeIfAbsent(imageId, k -> ScoredBoxes.newBuilder())
                        .addBoxes(ScoredBox.newBuilder().setBox(box(category, bbox)).setScore((float) r.get("score").asDouble()));
                firstWhere.putIfAbsent(imageId, where);
            }
        }
        List<String> images = new ArrayList<>(byImage.keySet());
        List<Inference> inferences = images.stream().map(id -> Inference.newBuilder().setDatasetId(o.datasetId()).setFrameId(id)
                .setModelId(o.modelId()).setModelVersion(o.modelVersion()).setBoxes(byImage.get(id)).build()).toList();
        chunked(inferences, chunk -> catalog.upsertInferences(chunk, correlation), "inferences",
                base -> i -> firstWhere.get(images.get(base + i)), report);
        report.note("format", "coco-results");
        report.note("detections", root.size());
        report.note("images", images.size());
    }

    // ------------------------------------------------------------------ helpers

    private static Map<String, String> categories(JsonNode categories, ImportReport report) {
        Map<String, String> out = new HashMap<>();
        for (int i = 0; i < categories.size(); i++) {
            JsonNode c = categories.get(i);
            String id = idText(c.get("id"));
            String name = c.path("name").asText(null);
            if (id == null || name == null || name.isBlank()) {
                report.refuse("categories", "categories[" + i + "]", id == null ? "id" : "name", "is required");
                continue;
            }
            String problem = Inputs.idProblem(id);
            if (problem != null || (problem = Inputs.textProblem(name, Inputs.MAX_NAME_BYTES)) != null) {
                report.refuse("categories", "categories[" + i + "]", Inputs.idProblem(id) != null ? "id" : "name", problem);
                continue;
            }
            out.put(id, name);
        }
        return out;
    }

    private void saveCategories(String datasetId, Map<String, String> categories) {
        if (categories.isEmpty()) {
            return;
        }
        try (Connection c = repository.connection(); PreparedStatement ps = c.prepareStatement(
                "INSERT INTO coco_categories (dataset_id, category_id, name) VALUES (?, ?, ?) "
                        + "ON CONFLICT (dataset_id, category_id) DO UPDATE SET name = EXCLUDED.name")) {
            for (var e : categories.entrySet()) {
                ps.setString(1, datasetId);
                ps.setString(2, e.getKey());
                ps.setString(3, e.getValue());
                ps.addBatch();
            }
            ps.executeBatch();
        } catch (SQLException e) {
            throw new StoreException("saving COCO categories", e);
        }
    }

    private Map<String, String> loadCategories(String datasetId) {
        Map<String, String> out = new HashMap<>();
        try (Connection c = repository.connection();
             PreparedStatement ps = c.prepareStatement("SELECT category_id, name FROM coco_categories WHERE dataset_id = ?")) {
            ps.setString(1, datasetId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1), rs.getString(2));
                }
            }
        } catch (SQLException e) {
            throw new StoreException("reading COCO categories", e);
        }
        return out;
    }

    private static String idText(JsonNode id) {
        if (id == null || id.isNull() || id.isContainerNode()) {
            return null;
        }
        String text = id.isNumber() && id.canConvertToLong() ? Long.toString(id.asLong()) : id.asText();
        return text.isBlank() ? null : text;
    }

    /** The longest {@code file_name} taken (Linux's PATH_MAX). */
    static final int MAX_FILE_NAME_BYTES = 4096;

    /**
     * The image's URI: its own URL, else {@code file_name} under {@code image_root}; null when neither is there.
     * Throws IllegalArgumentException (the reason, for the row) when {@code file_name} is too long, not valid text,
     * absolute, or leaves the image root once {@code .} and {@code ..} are resolved.
     */
    private static String imageUri(JsonNode img, String imageRoot) {
        for (String field : List.of("coco_url", "flickr_url", "url")) {
            String url = img.path(field).asText("");
            if (!url.isBlank()) {
                return url;
            }
        }
        String file = img.path("file_name").asText("");
        if (file.isBlank() || imageRoot == null || imageRoot.isBlank()) {
            return null;
        }
        String root = imageRoot.endsWith("/") ? imageRoot : imageRoot + "/";
        StringBuilder encoded = new StringBuilder();
        for (String part : relativePath(file)) {
            if (!encoded.isEmpty()) {
                encoded.append('/');
            }
            encoded.append(URLEncoder.encode(part, StandardCharsets.UTF_8).replace("+", "%20"));
        }
        return root + encoded;
    }

    /** The segments of {@code file} once normalised, refusing a name that is not a path inside the root. */
    static List<String> relativePath(String file) {
        String problem = Inputs.textProblem(file, MAX_FILE_NAME_BYTES);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        if (file.startsWith("/") || file.startsWith("\\") || file.matches("^[A-Za-z]:.*") || file.contains("://")) {
            throw new IllegalArgumentException("'" + Inputs.abbreviate(file) + "' is an absolute path or a URL; file_name must be relative to image_root");
        }
        List<String> parts = new ArrayList<>();
        for (String part : file.split("[/\\\\]")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                if (parts.isEmpty()) {
                    throw new IllegalArgumentException("'" + Inputs.abbreviate(file) + "' leaves image_root (too many '..')");
                }
                parts.remove(parts.size() - 1);
                continue;
            }
            parts.add(part);
        }
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("'" + Inputs.abbreviate(file) + "' names no file under image_root");
        }
        return parts;
    }

    private static String labelerOf(JsonNode a, String fallback) {
        for (JsonNode n : List.of(a.path("labeler_id"), a.path("annotator"), a.path("attributes").path("annotator"))) {
            if (n.isValueNode() && !n.asText().isBlank()) {
                return n.asText();
            }
        }
        return fallback;
    }

    private static float[] bbox(JsonNode a) {
        JsonNode b = a.get("bbox");
        if (b == null || !b.isArray() || b.size() != 4) {
            return null;
        }
        float[] out = new float[4];
        for (int k = 0; k < 4; k++) {
            if (!b.get(k).isNumber()) {
                return null;
            }
            out[k] = (float) b.get(k).asDouble();
        }
        return out;
    }

    private static Box box(String category, float[] bbox) {
        return Box.newBuilder().setClassName(category).setX(bbox[0]).setY(bbox[1]).setWidth(bbox[2]).setHeight(bbox[3]).build();
    }

    private static int index(JsonNode images, String id) {
        for (int i = 0; i < images.size(); i++) {
            if (id.equals(idText(images.get(i).get("id")))) {
                return i;
            }
        }
        return -1;
    }

    private static <T> void chunked(List<T> rows, java.util.function.Function<List<T>, dev.shoal.proto.common.v1.BatchResult> upsert,
                                    String kind, java.util.function.IntFunction<java.util.function.IntFunction<String>> where,
                                    ImportReport report) {
        for (int from = 0; from < rows.size(); from += JsonlImporter.CHUNK) {
            int base = from;
            List<T> chunk = rows.subList(from, Math.min(rows.size(), from + JsonlImporter.CHUNK));
            report.add(kind, upsert.apply(chunk), where.apply(base));
        }
    }
}
