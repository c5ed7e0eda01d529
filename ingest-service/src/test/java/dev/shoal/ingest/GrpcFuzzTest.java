package dev.shoal.ingest;

import com.google.protobuf.Message;
import dev.shoal.ingest.config.IngestConfig;
import dev.shoal.ingest.grpc.IngestGrpcService;
import dev.shoal.ingest.store.CatalogRepository;
import dev.shoal.proto.Inputs;
import dev.shoal.proto.common.v1.BatchResult;
import dev.shoal.proto.ingest.v1.CreateDatasetRequest;
import dev.shoal.proto.ingest.v1.Dataset;
import dev.shoal.proto.ingest.v1.IngestServiceGrpc;
import dev.shoal.proto.ingest.v1.ListDatasetsRequest;
import dev.shoal.proto.ingest.v1.Modality;
import dev.shoal.proto.ingest.v1.ModelVersion;
import dev.shoal.proto.ingest.v1.RegisterModelVersionRequest;
import dev.shoal.proto.ingest.v1.UpsertFramesRequest;
import dev.shoal.testkit.Fuzz;
import dev.shoal.testkit.ShoalInfraTestResource;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static dev.shoal.ingest.IngestTestSupport.uniqueDataset;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzzes {@code shoal.ingest.v1.IngestService} on the running app (real broker and PostgreSQL) with mutated valid
 * messages from {@link Fuzz}: batches of frames, labels, inferences and embeddings where every row but one has one
 * field mutated (control characters, NUL, invalid UTF-8 bytes, NaN and infinite floats, out-of-range enums, huge
 * repeated fields and maps, unknown fields), whole messages corrupted (random, truncated, flipped bytes) and sent to
 * any method, and mutated datasets and model versions. Messages travel as raw bytes, so the client never refuses
 * to send one. Asserts: every call answers OK or INVALID_ARGUMENT with a description (ALREADY_EXISTS for a
 * definition that clashes), never INTERNAL, UNKNOWN or another code; every stored row passes the ingest validation
 * again; every valid row of a batch that was read was stored; the service still lists its datasets over gRPC and REST.
 * {@code -Dshoal.fuzz.seed} and {@code -Dshoal.fuzz.cases} (default 4000 mutations) as for {@link IngestFuzzTest}.
 */
@QuarkusTest
@QuarkusTestResource(value = ShoalInfraTestResource.class, initArgs = @ResourceArg(name = "database", value = "ingest"))
class GrpcFuzzTest {

    private static final int ROWS_PER_BATCH = 10;
    private static final List<String> METHODS = List.of("CreateDataset", "ListDatasets", "UpsertFrames", "UpsertLabels",
            "UpsertInferences", "UpsertEmbeddings", "RegisterModelVersion");

    @TestHTTPResource("/")
    URL url;

    @Inject
    CatalogRepository repository;

    @Inject
    IngestConfig config;

    private ManagedChannel channel;
    private final List<String> failures = new ArrayList<>();
    private final Map<Status.Code, Integer> codes = new TreeMap<>();
    /** The BatchResult trailer of the last call's INVALID_ARGUMENT (null when none: the message was not read). */
    private BatchResult lastBatchResult;

    @Test
    void mutated_messages_get_invalid_argument_never_internal_and_only_valid_rows_are_stored() throws Exception {
        long seed = Fuzz.seed();
        int cases = Fuzz.cases(4000);
        Fuzz fuzz = new Fuzz(seed);
        String dataset = uniqueDataset("gfuzz");
        channel = ManagedChannelBuilder.forAddress(url.getHost(), url.getPort()).usePlaintext().maxInboundMessageSize(64 << 20).build();
        long started = System.nanoTime();
        try {
            call("CreateDataset", CreateDatasetRequest.newBuilder().setDataset(Dataset.newBuilder().setId(dataset)
                    .setModality(Modality.MODALITY_IMAGE).addClassNames("cat").addClassNames("dog")).build().toByteArray());
            call("UpsertFrames", UpsertFramesRequest.newBuilder().addFrames(FuzzRows.frame(dataset, FuzzRows.BASE)).build().toByteArray());
            assertEquals(List.of(), failures, "the valid dataset and frame");

            Map<FuzzRows.Kind, Set<String>> validRows = new EnumMap<>(FuzzRows.Kind.class);
            int sent = 0;
            int calls = 0;
            while (sent < cases) {
                calls++;
                int kind = fuzz.nextInt(10);
                if (kind < 7) { // a batch of mutated rows with one valid row among them
                    FuzzRows.Batch batch = FuzzRows.batch(fuzz, dataset, "g" + calls, ROWS_PER_BATCH);
                    sent += ROWS_PER_BATCH - 1;
                    Status.Code code = call(batch.kind().grpcMethod, fuzz.breakUtf8(batch.grpcRequest().toByteArray()));
                    if (code == Status.Code.OK || lastBatchResult != null) { // the message was read: its valid row is stored
                        validRows.computeIfAbsent(batch.kind(), k -> new HashSet<>()).add(batch.validKey());
                    }
                } else if (kind < 9) { // a whole message, mutated or corrupted, to any method
                    String method = METHODS.get(fuzz.nextInt(METHODS.size()));
                    Message valid = validRequest(method, fuzz, dataset, "whole-" + calls);
                    if (fuzz.nextBoolean()) {
                        call(method, fuzz.corrupt(valid.toByteArray()));
                    } else {
                        Message.Builder b = valid.toBuilder();
                        fuzz.mutate(b);
                        call(method, fuzz.breakUtf8(b.build().toByteArray()));
                    }
                    sent++;
                } else { // a dataset or a model version with one field mutated
                    String method = fuzz.nextBoolean() ? "CreateDataset" : "RegisterModelVersion";
                    Message.Builder b = validRequest(method, fuzz, dataset, "d" + calls).toBuilder();
                    fuzz.mutate(b);
                    call(method, fuzz.breakUtf8(b.build().toByteArray()));
                    sent++;
                }
            }
            double seconds = (System.nanoTime() - started) / 1e9;

            assertTrue(failures.isEmpty(), failures.size() + " bad answers, by kind:\n" + failures.stream().collect(
                    java.util.stream.Collectors.groupingBy(f -> f.replaceAll("\\(\\d+ bytes\\)", "").replaceAll("\\d+", "N"),
                            TreeMap::new, java.util.stream.Collectors.counting())));
            assertEquals(Status.Code.OK, call("ListDatasets", ListDatasetsRequest.getDefaultInstance().toByteArray()), "ListDatasets after the fuzzing");
            given().get("/v1/datasets").then().statusCode(200);
            int checked = StoredRows.assertOnlyValidRowsAndAllOfThemStored(repository, config, dataset, validRows);
            assertTrue(checked > 100, "valid rows checked: " + checked);
            assertTrue(codes.getOrDefault(Status.Code.INVALID_ARGUMENT, 0) > calls / 2, "most fuzzed calls are refused: " + codes);
            System.out.printf("grpc fuzz: seed %d, %d mutations in %d calls, %.1f s: %s, %d valid rows stored%n",
                    seed, sent, calls, seconds, codes, checked);
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    /** A small valid request of the method, its rows in {@code dataset} (a new dataset for CreateDataset). */
    private static Message validRequest(String method, Fuzz fuzz, String dataset, String id) {
        return switch (method) {
            case "CreateDataset" -> CreateDatasetRequest.newBuilder().setDataset(Dataset.newBuilder().setId(dataset + "-" + id)
                    .setName("fuzzed").setModality(Modality.MODALITY_TEXT).addClassNames("a").addClassNames("b")).build();
            case "ListDatasets" -> ListDatasetsRequest.getDefaultInstance();
            case "RegisterModelVersion" -> RegisterModelVersionRequest.newBuilder().setModelVersion(ModelVersion.newBuilder()
                    .setDatasetId(dataset).setModelId("fz-model").setVersion(id).setFramework("onnx").setEmbeddingDimension(4)
                    .putMetrics("accuracy", "0.9")).build();
            default -> {
                FuzzRows.Kind kind = FuzzRows.Kind.valueOf(method.substring("Upsert".length()).toUpperCase());
                yield new FuzzRows.Batch(kind, List.of(FuzzRows.valid(kind, fuzz, dataset, id)), 0, id).grpcRequest();
            }
        };
    }

    /** Calls the method with raw bytes; records a failure for any code but OK, INVALID_ARGUMENT (with a description) and ALREADY_EXISTS. */
    private Status.Code call(String method, byte[] request) {
        lastBatchResult = null;
        Status.Code code;
        String description = null;
        try {
            RawGrpc.call(channel, method, request);
            code = Status.Code.OK;
        } catch (StatusRuntimeException e) {
            code = e.getStatus().getCode();
            description = e.getStatus().getDescription();
            lastBatchResult = IngestGrpcService.batchResultOf(e);
        }
        codes.merge(code, 1, Integer::sum);
        boolean expected = code == Status.Code.OK || code == Status.Code.ALREADY_EXISTS
                || (code == Status.Code.INVALID_ARGUMENT && description != null && !description.isBlank());
        if (!expected) {
            failures.add(method + " (" + request.length + " bytes) -> " + code + " " + Inputs.abbreviate(description));
        }
        return code;
    }
}
