package dev.shoal.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import dev.shoal.ingest.config.IngestConfig;
import dev.shoal.ingest.domain.BatchValidator;
import dev.shoal.ingest.store.CatalogRepository;
import dev.shoal.proto.CloudEventHeaders;
import dev.shoal.proto.EventCodec;
import dev.shoal.proto.Inputs;
import dev.shoal.proto.Topics;
import dev.shoal.proto.ingest.v1.IngestRequest;
import dev.shoal.proto.ingest.v1.UpsertFramesRequest;
import dev.shoal.testkit.Fuzz;
import dev.shoal.testkit.KafkaProbe;
import dev.shoal.testkit.ShoalInfraTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import static dev.shoal.ingest.IngestTestSupport.createDataset;
import static dev.shoal.ingest.IngestTestSupport.post;
import static dev.shoal.ingest.IngestTestSupport.probe;
import static dev.shoal.ingest.IngestTestSupport.uniqueDataset;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzzes {@code shoal.ingest.requests.v1} on the running app (real broker and PostgreSQL): {@link IngestRequest}
 * records in binary protobuf and proto3-JSON whose rows were mutated by {@link Fuzz} (as in {@link GrpcFuzzTest},
 * plus JSON-level mutations), whole records corrupted (random, truncated, flipped bytes, invalid UTF-8, any JSON
 * value), and records whose content-type header lies. Then one valid marker record per partition, sent last.
 * Each record is judged beforehand the way the consumer reads it: a record that cannot be read, or that has a row
 * the ingest rules refuse, must be in {@code shoal.ingest.requests.v1.dlq} with a reason; a readable record with no
 * refused row must not be. Asserts also: every marker is stored (the consumers still consume), every stored row
 * passes the ingest validation again, and the valid row of every readable record was stored.
 * {@code -Dshoal.fuzz.seed} and {@code -Dshoal.fuzz.cases} (default 3000 mutations) as for {@link IngestFuzzTest}.
 */
@QuarkusTest
@QuarkusTestResource(value = ShoalInfraTestResource.class, initArgs = @ResourceArg(name = "database", value = "ingest"))
class KafkaFuzzTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int ROWS_PER_RECORD = 4;
    /** Below the 16 MiB the broker and the producers accept. */
    private static final int MAX_RECORD_BYTES = 15 << 20;

    @Inject
    CatalogRepository repository;

    @Inject
    IngestConfig config;

    @Test
    void bad_records_go_to_the_dlq_with_a_reason_valid_rows_are_kept_and_the_consumers_go_on() throws Exception {
        long seed = Fuzz.seed();
        int cases = Fuzz.cases(3000);
        Fuzz fuzz = new Fuzz(seed);
        String dataset = uniqueDataset("kfuzz");
        createDataset(dataset, "MODALITY_IMAGE", "cat", "dog");
        post("/v1/frames", "{\"frames\":[" + JsonFormat.printer().print(FuzzRows.frame(dataset, FuzzRows.BASE)) + "]}").statusCode(200);
        BatchValidator validator = new BatchValidator(repository, config);

        List<ProducerRecord<String, byte[]>> records = new ArrayList<>();
        Set<String> mustBeDead = new HashSet<>();
        Map<String, String> whyDead = new HashMap<>();
        Set<String> mustLive = new HashSet<>();
        Map<FuzzRows.Kind, Set<String>> validRows = new HashMap<>();
        int sent = 0;
        int tooLarge = 0;
        while (sent < cases) {
            String key = dataset + "-" + (records.size() + tooLarge);
            int sentBefore = sent;
            byte[] value;
            FuzzRows.Batch batch = null;
            int kind = fuzz.nextInt(10);
            if (kind < 6) { // rows mutated, one valid row among them
                batch = FuzzRows.batch(fuzz, dataset, "k" + records.size(), ROWS_PER_RECORD);
                sent += ROWS_PER_RECORD - 1;
                value = encode(fuzz, batch.ingestRequest(key), fuzz.nextBoolean());
            } else if (kind < 9) { // a whole record corrupted
                FuzzRows.Kind rowKind = FuzzRows.Kind.values()[fuzz.nextInt(FuzzRows.Kind.values().length)];
                IngestRequest valid = new FuzzRows.Batch(rowKind, List.of(FuzzRows.valid(rowKind, fuzz, dataset, "w" + records.size())),
                        0, "w" + records.size()).ingestRequest(key);
                value = fuzz.corrupt(fuzz.nextBoolean() ? valid.toByteArray() : JsonFormat.printer().print(valid).getBytes(StandardCharsets.UTF_8));
                sent++;
            } else { // any JSON value, or random bytes
                value = fuzz.nextBoolean() ? JSON.writeValueAsBytes(fuzz.randomValue(0)) : fuzz.randomBytes(3000);
                sent++;
            }
            if (value.length > MAX_RECORD_BYTES) { // a producer cannot send it (nor can a training system)
                tooLarge++;
                sent = sentBefore; // its mutations were not sent
                continue;
            }
            ProducerRecord<String, byte[]> record = new ProducerRecord<>(Topics.INGEST_REQUESTS, key, value);
            switch (fuzz.nextInt(4)) { // content-type: none (sniffed), either, or one that contradicts the bytes
                case 0 -> record.headers().add(new RecordHeader(CloudEventHeaders.CONTENT_TYPE, bytes(CloudEventHeaders.JSON)));
                case 1 -> record.headers().add(new RecordHeader(CloudEventHeaders.CONTENT_TYPE, bytes(CloudEventHeaders.PROTOBUF)));
                default -> {
                }
            }
            records.add(record);
            IngestRequest read = readAsTheConsumerDoes(record);
            if (read == null || refusesSomeRow(validator, read)) {
                mustBeDead.add(key);
                var ct = record.headers().lastHeader(CloudEventHeaders.CONTENT_TYPE);
                whyDead.put(key, (read == null ? "unreadable" : read.getBodyCase() + " with a refused row: " + firstError(validator, read)) + ", " + value.length
                        + " bytes, content-type " + (ct == null ? "none" : new String(ct.value(), StandardCharsets.UTF_8)));
            } else if (isBatch(read)) { // a dataset or model version might clash with a stored one: no expectation
                mustLive.add(key);
            }
            if (read != null && batch != null && rowsOf(read).contains(batch.validRow())) {
                validRows.computeIfAbsent(batch.kind(), k -> new HashSet<>()).add(batch.validKey());
            }
        }

        long started = System.nanoTime();
        try (KafkaProbe probe = probe()) {
            int partitions = probe.partitions(Topics.INGEST_REQUESTS);
            Set<String> markers = new HashSet<>();
            for (int p = 0; p < partitions; p++) { // sent last, one per partition: stored once everything before it was consumed
                String marker = "marker-" + p;
                markers.add(marker);
                records.add(new ProducerRecord<>(Topics.INGEST_REQUESTS, p, dataset + "-marker-" + p, IngestRequest.newBuilder()
                        .setUpsertFrames(UpsertFramesRequest.newBuilder().addFrames(FuzzRows.frame(dataset, marker))).build().toByteArray()));
            }
            probe.sendAll(records);
            await().atMost(Duration.ofSeconds(300)).pollInterval(Duration.ofMillis(500))
                    .until(() -> new HashSet<>(StoredRows.storedKeys(repository, "frames", "id", dataset)).containsAll(markers));
            double seconds = (System.nanoTime() - started) / 1e9;

            Map<String, String> dead = new HashMap<>();
            for (ConsumerRecord<String, byte[]> r : probe.readAll(Topics.dlq(Topics.INGEST_REQUESTS),
                    r -> r.key() != null && r.key().startsWith(dataset + "-"), Duration.ofSeconds(3))) {
                dead.put(r.key(), KafkaProbe.header(r, CloudEventHeaders.DLQ_REASON));
            }
            int checked = StoredRows.assertOnlyValidRowsAndAllOfThemStored(repository, config, dataset, validRows);
            Set<String> missing = new HashSet<>(mustBeDead);
            missing.removeAll(dead.keySet());
            assertEquals(Map.of(), reasonsOf(missing, whyDead), "records that cannot be read or have refused rows, not in the DLQ");
            Set<String> wronglyDead = new HashSet<>(mustLive);
            wronglyDead.retainAll(dead.keySet());
            assertEquals(Map.of(), reasonsOf(wronglyDead, dead), "valid records sent to the DLQ");
            dead.forEach((key, reason) -> assertTrue(reason != null && !reason.isBlank(), key + " is in the DLQ with no reason"));

            assertTrue(checked > 50, "valid rows checked: " + checked);
            assertTrue(mustBeDead.size() > records.size() / 2, "most records are bad: " + mustBeDead.size() + " of " + records.size());
            Map<String, Integer> reasons = new TreeMap<>();
            dead.values().forEach(r -> reasons.merge(r.replaceAll("(?s)[:(].*", "").replaceAll("\\d+", "N"), 1, Integer::sum));
            System.out.printf("kafka fuzz: seed %d, %d mutations in %d records (+%d markers), consumed in %.1f s: %d in the DLQ %s, "
                    + "%d accepted whole, %d valid rows stored, %d records over 15 MiB not sent%n", seed, sent, records.size() - partitions, partitions, seconds,
                    dead.size(), reasons, mustLive.size(), checked, tooLarge);
        }
    }

    /** Binary protobuf, or proto3-JSON (a third of those with one row mutated as JSON too), with invalid UTF-8 put in. */
    private static byte[] encode(Fuzz fuzz, IngestRequest request, boolean json) throws Exception {
        if (!json) {
            return fuzz.breakUtf8(request.toByteArray());
        }
        String printed = JsonFormat.printer().print(request);
        if (fuzz.nextInt(3) == 0 && printed.length() < 40_000) { // (a longer one may hold a member name past Jackson's limit)
            JsonNode tree = JSON.readTree(printed);
            for (JsonNode body : tree) {
                if (body.isObject() && body.size() == 1 && body.elements().next().isArray()) {
                    JsonNode rows = body.elements().next();
                    fuzz.mutate((ObjectNode) rows.get(fuzz.nextInt(rows.size())));
                }
            }
            printed = JSON.writeValueAsString(tree);
        }
        return fuzz.breakUtf8(printed.getBytes(StandardCharsets.UTF_8));
    }

    /** The request as IngestRequestConsumer reads it (content-type header, else sniffed), or null where it cannot. */
    private static IngestRequest readAsTheConsumerDoes(ProducerRecord<String, byte[]> record) {
        byte[] payload = record.value();
        if (payload.length == 0) {
            return null;
        }
        var header = record.headers().lastHeader(CloudEventHeaders.CONTENT_TYPE);
        try {
            IngestRequest read;
            if (EventCodec.isJson(header == null ? null : new String(header.value(), StandardCharsets.UTF_8), payload)) {
                IngestRequest.Builder b = IngestRequest.newBuilder();
                JsonFormat.parser().merge(new String(payload, StandardCharsets.UTF_8), b);
                read = b.build();
            } else {
                read = IngestRequest.parseFrom(payload);
            }
            return read.getBodyCase() == IngestRequest.BodyCase.BODY_NOT_SET ? null : read;
        } catch (InvalidProtocolBufferException e) {
            return null;
        }
    }

    /** Whether the ingest rules refuse a row of the request (datasets and model versions: the definition itself). */
    private static boolean refusesSomeRow(BatchValidator validator, IngestRequest request) {
        return switch (request.getBodyCase()) {
            case UPSERT_FRAMES -> !validator.frames(request.getUpsertFrames().getFramesList()).errors().isEmpty();
            case UPSERT_LABELS -> !validator.labels(request.getUpsertLabels().getLabelsList()).errors().isEmpty();
            case UPSERT_INFERENCES -> !validator.inferences(request.getUpsertInferences().getInferencesList()).errors().isEmpty();
            case UPSERT_EMBEDDINGS -> !validator.embeddings(request.getUpsertEmbeddings().getEmbeddingsList()).errors().isEmpty();
            case CREATE_DATASET -> validator.checkDataset(request.getCreateDataset().getDataset()).isPresent();
            case REGISTER_MODEL_VERSION -> validator.checkModelVersion(request.getRegisterModelVersion().getModelVersion()).isPresent();
            case BODY_NOT_SET -> true;
        };
    }

    private static String firstError(BatchValidator validator, IngestRequest request) {
        var errors = switch (request.getBodyCase()) {
            case UPSERT_FRAMES -> validator.frames(request.getUpsertFrames().getFramesList()).errors().list();
            case UPSERT_LABELS -> validator.labels(request.getUpsertLabels().getLabelsList()).errors().list();
            case UPSERT_INFERENCES -> validator.inferences(request.getUpsertInferences().getInferencesList()).errors().list();
            case UPSERT_EMBEDDINGS -> validator.embeddings(request.getUpsertEmbeddings().getEmbeddingsList()).errors().list();
            default -> List.<dev.shoal.proto.common.v1.RowError>of();
        };
        return errors.isEmpty() ? "(none)" : errors.get(0).getField() + ": " + Inputs.abbreviate(errors.get(0).getMessage(), 200);
    }

    private static boolean isBatch(IngestRequest request) {
        return request.getBodyCase().name().startsWith("UPSERT_");
    }

    private static List<? extends Message> rowsOf(IngestRequest request) {
        return switch (request.getBodyCase()) {
            case UPSERT_FRAMES -> request.getUpsertFrames().getFramesList();
            case UPSERT_LABELS -> request.getUpsertLabels().getLabelsList();
            case UPSERT_INFERENCES -> request.getUpsertInferences().getInferencesList();
            case UPSERT_EMBEDDINGS -> request.getUpsertEmbeddings().getEmbeddingsList();
            default -> List.of();
        };
    }

    private static Map<String, String> reasonsOf(Set<String> keys, Map<String, String> dead) {
        Map<String, String> out = new TreeMap<>();
        keys.forEach(k -> out.put(k, Inputs.abbreviate(dead.get(k), 300)));
        return out;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
