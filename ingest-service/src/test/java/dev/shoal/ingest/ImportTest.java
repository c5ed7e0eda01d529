package dev.shoal.ingest;

import dev.shoal.testkit.ShoalInfraTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import static dev.shoal.ingest.IngestTestSupport.*;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

@QuarkusTest
@QuarkusTestResource(value = ShoalInfraTestResource.class, initArgs = @ResourceArg(name = "database", value = "ingest"))
class ImportTest {

    @Test
    void jsonl_rows_of_every_kind_are_imported_and_bad_lines_reported_by_line_number() {
        String ds = uniqueDataset("jsonl");
        createDataset(ds, "MODALITY_IMAGE", "cat", "dog");
        String body = String.join("\n",
                "{\"label\": {\"frame_id\": \"j1\", \"labeler_id\": \"a\", \"label_set\": \"v1\", \"classification\": {\"class_name\": \"cat\"}}}",
                "{\"frame\": {\"id\": \"j1\", \"uris\": [\"file:///d/j1.png\"], \"width\": 8, \"height\": 8}}",
                "{\"frame\": {\"id\": \"j2\", \"uris\": [\"file:///d/j2.png\"]}}",
                "",
                "{\"inference\": {\"frame_id\": \"j2\", \"model_id\": \"m\", \"model_version\": \"1\", \"classification\": {\"scores\": "
                        + "[{\"class_name\": \"cat\", \"probability\": 0.25}, {\"class_name\": \"dog\", \"probability\": 0.75}]}}}",
                "{\"model_version\": {\"model_id\": \"emb\", \"version\": \"1\", \"embedding_dimension\": 2}}",
                "{\"embedding\": {\"frame_id\": \"j1\", \"model_id\": \"emb\", \"model_version\": \"1\", \"vector\": [0.5, 0.5]}}",
                "{\"embedding\": {\"frame_id\": \"j2\", \"model_id\": \"emb\", \"model_version\": \"1\", \"vector\": [0.5]}}",
                "not json at all",
                "{\"frame\": {\"id\": \"j3\", \"uris\": []}}");
        given().contentType("application/x-ndjson").body(body.getBytes(java.nio.charset.StandardCharsets.UTF_8)).post("/v1/import/jsonl?dataset_id=" + ds).then()
                .statusCode(400)
                .body("lines", equalTo(10))
                .body("counts.frames.stored", equalTo(2))
                .body("counts.labels.stored", equalTo(1))
                .body("counts.inferences.stored", equalTo(1))
                .body("counts.embeddings.stored", equalTo(1))
                .body("error_count", equalTo(3))
                .body("errors.find { it.where == 'line 8' }.message", containsString("has dimension 1 but model_id emb model_version 1 has dimension 2"))
                .body("errors.find { it.where == 'line 9' }.message", containsString("not valid JSON"))
                .body("errors.find { it.where == 'line 10' }.field", equalTo("uris"));
        assertEquals(2, dbCount(ds, "frames"));
        assertEquals(1, dbCount(ds, "model_versions"));
    }

    /** A small COCO file as tools write it: numeric ids, a crowd region, a polygon, an image without boxes. */
    static final String COCO = """
            {"info": {"description": "made by hand for this test"},
             "licenses": [],
             "images": [
               {"id": 1, "file_name": "a b.jpg", "width": 100, "height": 80, "license": 0},
               {"id": 2, "file_name": "dir/c.jpg", "width": 100, "height": 80},
               {"id": 3, "file_name": "empty.jpg", "width": 100, "height": 80, "coco_url": "https://images.example.com/empty.jpg"}
             ],
             "categories": [{"id": 1, "name": "cone", "supercategory": "object"}, {"id": 2, "name": "pole"}],
             "annotations": [
               {"id": 10, "image_id": 1, "category_id": 1, "bbox": [10, 10, 20, 30], "area": 600, "iscrowd": 0,
                "segmentation": [[10, 10, 30, 10, 30, 40, 10, 40]]},
               {"id": 11, "image_id": 1, "category_id": 2, "bbox": [50, 5, 10, 70], "iscrowd": 0, "annotator": "ann-9"},
               {"id": 12, "image_id": 2, "category_id": 1, "bbox": [0, 0, 100, 80], "iscrowd": 1, "segmentation": {"counts": [1, 2], "size": [80, 100]}},
               {"id": 13, "image_id": 2, "category_id": 1, "bbox": [90, 70, 20, 20], "iscrowd": 0},
               {"id": 14, "image_id": 2, "category_id": 7, "bbox": [1, 1, 2, 2], "iscrowd": 0}
             ]}
            """;

    @Test
    void a_coco_ground_truth_file_becomes_frames_and_box_labels_and_a_results_file_becomes_inferences() {
        String ds = uniqueDataset("coco");
        createDataset(ds, "MODALITY_IMAGE", "cone", "pole");
        given().contentType("application/json").body(COCO)
                .post("/v1/import/coco?dataset_id=" + ds + "&image_root=file:///data/coco&split=train&label_set=gt").then()
                .statusCode(400)
                .body("format", equalTo("coco"))
                .body("annotation", equalTo("boxes"))
                .body("crowd_annotations_skipped", equalTo(1))
                .body("counts.frames.stored", equalTo(3))
                // image 1 by coco-import and by ann-9, image 3 (no boxes); image 2's only box lies outside the image
                .body("counts.labels.stored", equalTo(3))
                .body("errors.find { it.where == 'annotations[4]' }.field", equalTo("category_id"))
                .body("errors.find { it.where == 'annotations[3]' }.message", containsString("outside the 100x80 image"));
        given().get("/v1/datasets/" + ds + "/frames/1").then().statusCode(200)
                .body("frame.uris[0]", equalTo("file:///data/coco/a%20b.jpg"))
                .body("frame.split", equalTo("SPLIT_TRAIN"))
                .body("frame.metadata.file_name", equalTo("a b.jpg"))
                .body("labels.find { it.labeler_id == 'coco-import' }.boxes.boxes[0].class_name", equalTo("cone"))
                .body("labels.find { it.labeler_id == 'ann-9' }.boxes.boxes[0].class_name", equalTo("pole"));
        given().get("/v1/datasets/" + ds + "/frames/3").then().statusCode(200)
                .body("frame.uris[0]", equalTo("https://images.example.com/empty.jpg"));

        String results = "[{\"image_id\": 1, \"category_id\": 1, \"bbox\": [11, 9, 20, 31], \"score\": 0.93},"
                + " {\"image_id\": 1, \"category_id\": 2, \"bbox\": [49, 5, 12, 70], \"score\": 0.41},"
                + " {\"image_id\": 3, \"category_id\": 1, \"bbox\": [5, 5, 10, 10], \"score\": 0.88}]";
        given().contentType("application/json").body(results)
                .post("/v1/import/coco?dataset_id=" + ds + "&model_id=yolo&model_version=8").then()
                .statusCode(200)
                .body("format", equalTo("coco-results"))
                .body("counts.inferences.stored", equalTo(2));
        given().get("/v1/datasets/" + ds + "/frames/1").then().statusCode(200)
                .body("inferences[0].boxes.boxes", org.hamcrest.Matchers.hasSize(2));
    }

    @Test
    void a_coco_file_imported_as_polygons_keeps_the_segmentation() {
        String ds = uniqueDataset("cocopoly");
        createDataset(ds, "MODALITY_IMAGE");
        String coco = "{\"images\": [{\"id\": \"img-1\", \"file_name\": \"x.png\", \"width\": 50, \"height\": 50}],"
                + " \"categories\": [{\"id\": 1, \"name\": \"defect\"}],"
                + " \"annotations\": [{\"id\": 1, \"image_id\": \"img-1\", \"category_id\": 1, \"segmentation\": [[1, 1, 10, 1, 10, 10]], \"bbox\": [1, 1, 9, 9]}]}";
        given().contentType("application/json").body(coco)
                .post("/v1/import/coco?dataset_id=" + ds + "&image_root=s3://bucket/imgs/&annotation=polygons").then()
                .statusCode(200).body("counts.labels.stored", equalTo(1));
        given().get("/v1/datasets/" + ds + "/frames/img-1").then().statusCode(200)
                .body("frame.uris[0]", equalTo("s3://bucket/imgs/x.png"))
                .body("labels[0].polygons.polygons[0].points", org.hamcrest.Matchers.hasSize(3));
    }

    @Test
    void a_body_that_is_not_coco_is_refused() {
        String ds = uniqueDataset("notcoco");
        createDataset(ds, "MODALITY_IMAGE");
        given().contentType("application/json").body("{\"hello\": 1}").post("/v1/import/coco?dataset_id=" + ds).then()
                .statusCode(400).body("error", containsString("not a COCO file"));
        given().contentType("application/json").body("{}").post("/v1/import/coco").then()
                .statusCode(400).body("error", containsString("dataset_id (query parameter) is required"));
    }
}
