package dev.shoal.ingest;

import dev.shoal.ingest.grpc.IngestGrpcService;
import dev.shoal.proto.common.v1.BatchResult;
import dev.shoal.proto.ingest.v1.Dataset;
import dev.shoal.proto.ingest.v1.CreateDatasetRequest;
import dev.shoal.proto.ingest.v1.Frame;
import dev.shoal.proto.ingest.v1.IngestServiceGrpc;
import dev.shoal.proto.ingest.v1.ListDatasetsRequest;
import dev.shoal.proto.ingest.v1.Modality;
import dev.shoal.proto.ingest.v1.UpsertFramesRequest;
import dev.shoal.testkit.ShoalInfraTestResource;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static dev.shoal.ingest.IngestTestSupport.dbCount;
import static dev.shoal.ingest.IngestTestSupport.uniqueDataset;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@QuarkusTest
@QuarkusTestResource(value = ShoalInfraTestResource.class, initArgs = @ResourceArg(name = "database", value = "ingest"))
class GrpcIngestTest {

    @TestHTTPResource("/")
    URL url;

    @Test
    void grpc_batches_store_valid_rows_and_refuse_bad_ones_with_invalid_argument_naming_the_field() throws Exception {
        ManagedChannel channel = ManagedChannelBuilder.forAddress(url.getHost(), url.getPort()).usePlaintext().build();
        try {
            var stub = IngestServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
            String ds = uniqueDataset("grpc");
            assertTrue(stub.createDataset(CreateDatasetRequest.newBuilder().setDataset(Dataset.newBuilder().setId(ds).setModality(Modality.MODALITY_IMAGE)).build()).getCreated());
            assertTrue(stub.listDatasets(ListDatasetsRequest.getDefaultInstance()).getDatasetsList().stream().anyMatch(d -> d.getId().equals(ds)));

            BatchResult ok = stub.upsertFrames(UpsertFramesRequest.newBuilder().addFrames(frame(ds, "g1")).addFrames(frame(ds, "g2")).build());
            assertEquals(2, ok.getStored());

            StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> IngestServiceGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(30, TimeUnit.SECONDS)
                    .upsertFrames(UpsertFramesRequest.newBuilder().addFrames(frame(ds, "g3")).addFrames(frame(ds, "g4").toBuilder().setWidth(-1)).build()));
            assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
            assertTrue(e.getStatus().getDescription().contains("frames[1].width: must not be negative"), e.getStatus().getDescription());
            BatchResult partial = IngestGrpcService.batchResultOf(e);
            assertEquals(1, partial.getStored());
            assertEquals(1, partial.getErrorsCount());
            assertEquals(3, dbCount(ds, "frames"));

            StatusRuntimeException unknown = assertThrows(StatusRuntimeException.class, () -> IngestServiceGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(30, TimeUnit.SECONDS).createDataset(CreateDatasetRequest.newBuilder()
                            .setDataset(Dataset.newBuilder().setId("bad id with spaces")).build()));
            assertEquals(Status.Code.INVALID_ARGUMENT, unknown.getStatus().getCode());
            assertTrue(unknown.getStatus().getDescription().startsWith("dataset.id"), unknown.getStatus().getDescription());
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void request_bytes_that_are_not_the_message_get_invalid_argument_not_internal() throws Exception {
        ManagedChannel channel = ManagedChannelBuilder.forAddress(url.getHost(), url.getPort()).usePlaintext().build();
        try {
            String ds = uniqueDataset("grpcbytes");
            byte[] valid = UpsertFramesRequest.newBuilder().addFrames(frame(ds, "ok")).build().toByteArray();
            byte[] invalidUtf8 = UpsertFramesRequest.newBuilder().addFrames(frame(ds, "AB")).build().toByteArray();
            int at = indexOf(invalidUtf8, "AB".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            invalidUtf8[at] = (byte) 0xC3; // a two-byte sequence whose second byte is no continuation byte
            invalidUtf8[at + 1] = (byte) 0x28;
            for (byte[] bad : List.of(invalidUtf8, Arrays.copyOf(valid, valid.length - 3), new byte[]{(byte) 0xFF, 1, 2, 3, 4})) {
                StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> RawGrpc.call(channel, "UpsertFrames", bad));
                assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), e.getStatus().toString());
                assertTrue(e.getStatus().getDescription().startsWith("the request body: not a valid binary protobuf request of "
                        + "shoal.ingest.v1.IngestService/UpsertFrames"), e.getStatus().getDescription());
            }
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    /** Clients refuse response metadata over 8 KiB: the refusal of a batch with huge ids and thousands of bad rows must fit. */
    @Test
    void the_refusal_of_a_batch_with_huge_ids_and_many_bad_rows_reaches_a_default_client_with_its_report() throws Exception {
        ManagedChannel channel = ManagedChannelBuilder.forAddress(url.getHost(), url.getPort()).usePlaintext().build();
        try {
            String ds = uniqueDataset("grpcbig");
            var stub = IngestServiceGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS);
            stub.createDataset(CreateDatasetRequest.newBuilder().setDataset(Dataset.newBuilder().setId(ds).setModality(Modality.MODALITY_IMAGE)).build());
            UpsertFramesRequest.Builder request = UpsertFramesRequest.newBuilder().addFrames(frame(ds, "kept"));
            for (int i = 0; i < 2000; i++) {
                // a control character: every one of these ids is refused
                request.addFrames(frame(ds, "bad").toBuilder().setId("\u0085".repeat(i == 0 ? 100_000 : 20) + i));
            }
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> stub.upsertFrames(request.build()));
            assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), e.getStatus().toString());
            assertTrue(e.getStatus().getDescription().startsWith("2000 row(s) refused, 1 stored, 0 unchanged: frames[1].id: must not contain"),
                    e.getStatus().getDescription());
            BatchResult report = IngestGrpcService.batchResultOf(e);
            assertEquals(1, report.getStored());
            assertTrue(report.getErrorsCount() > 10, "errors listed: " + report.getErrorsCount());
            assertEquals(2000, report.getErrorsCount() + report.getErrorsOmitted());
            assertTrue(report.getErrors(0).getId().length() <= 64 * 6, "the 100,000-character id is shortened");
            assertEquals(1, dbCount(ds, "frames"));
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    private static int indexOf(byte[] data, byte[] part) {
        for (int i = 0; i <= data.length - part.length; i++) {
            if (Arrays.equals(data, i, i + part.length, part, 0, part.length)) {
                return i;
            }
        }
        throw new AssertionError("not found");
    }

    private static Frame frame(String ds, String id) {
        return Frame.newBuilder().setDatasetId(ds).setId(id).addUris("https://images.example.com/" + id + ".jpg").setWidth(10).setHeight(10).build();
    }
}
