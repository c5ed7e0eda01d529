package dev.shoal.ingest;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.shoal.testkit.KafkaProbe;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.ConfigProvider;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

import static io.restassured.RestAssured.given;

/** Helpers shared by the ingest integration tests (real broker, real PostgreSQL). */
final class IngestTestSupport {

    private IngestTestSupport() {
    }

    static String uniqueDataset(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    static KafkaProbe probe() {
        return new KafkaProbe(ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class));
    }

    static void createDataset(String id, String modality, String... classes) {
        StringBuilder json = new StringBuilder("{\"id\":\"" + id + "\",\"name\":\"" + id + "\",\"modality\":\"" + modality + "\",\"class_names\":[");
        for (int i = 0; i < classes.length; i++) {
            json.append(i == 0 ? "" : ",").append('"').append(classes[i]).append('"');
        }
        json.append("]}");
        given().contentType(ContentType.JSON).body(json.toString()).post("/v1/datasets").then().statusCode(201);
    }

    static ValidatableResponse post(String path, String body) {
        return given().contentType(ContentType.JSON).body(body).post(path).then();
    }

    static String frame(String dataset, String id, int width, int height) {
        return "{\"dataset_id\":\"" + dataset + "\",\"id\":\"" + id + "\",\"uris\":[\"file:///data/" + id + ".png\"],"
                + "\"split\":\"SPLIT_TRAIN\",\"width\":" + width + ",\"height\":" + height + ",\"metadata\":{\"camera\":\"front\"}}";
    }

    static String classLabel(String dataset, String frameId, String cls) {
        return "{\"dataset_id\":\"" + dataset + "\",\"frame_id\":\"" + frameId + "\",\"labeler_id\":\"ann-1\",\"label_set\":\"v1\","
                + "\"classification\":{\"class_name\":\"" + cls + "\"}}";
    }

    static String probs(String dataset, String frameId, double pCat, double pDog) {
        return "{\"dataset_id\":\"" + dataset + "\",\"frame_id\":\"" + frameId + "\",\"model_id\":\"m\",\"model_version\":\"1\","
                + "\"classification\":{\"scores\":[{\"class_name\":\"cat\",\"probability\":" + pCat + "},"
                + "{\"class_name\":\"dog\",\"probability\":" + pDog + "}]}}";
    }

    static long dbCount(String dataset, String table) {
        return given().get("/v1/datasets/" + dataset + "/stats").then().statusCode(200).extract().jsonPath().getLong(table);
    }

    /** Events on {@code topic} for {@code dataset}, decoded, read until the topic has been quiet for a while. */
    static <T> List<T> events(KafkaProbe probe, String topic, Function<byte[], T> parse, Function<T, String> datasetOf,
                              String dataset, Duration quiet) {
        return probe.readAll(topic, r -> true, quiet).stream()
                .map(ConsumerRecord::value).map(parse).filter(e -> dataset.equals(datasetOf.apply(e))).toList();
    }

    static <T> Function<byte[], T> parser(com.google.protobuf.Parser<T> parser) {
        return bytes -> {
            try {
                return parser.parseFrom(bytes);
            } catch (InvalidProtocolBufferException e) {
                throw new AssertionError("not a valid event", e);
            }
        };
    }

    static Set<String> keys(List<ConsumerRecord<String, byte[]>> records) {
        return records.stream().map(ConsumerRecord::key).collect(java.util.stream.Collectors.toSet());
    }
}
