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

    private static Frame frame(String ds, String id) {
        return Frame.newBuilder().setDatasetId(ds).setId(id).addUris("https://images.example.com/" + id + ".jpg").setWidth(10).setHeight(10).build();
    }
}
