package dev.shoal.embedding.search;

import dev.shoal.embedding.store.VectorRecord;
import dev.shoal.embedding.store.VectorStore;
import dev.shoal.proto.embedding.v1.CountVectorsRequest;
import dev.shoal.proto.embedding.v1.ExportVectorsRequest;
import dev.shoal.proto.embedding.v1.LabeledFilter;
import dev.shoal.proto.embedding.v1.SearchByFrameRequest;
import dev.shoal.proto.embedding.v1.SearchByFramesRequest;
import dev.shoal.proto.embedding.v1.SearchByTextRequest;
import dev.shoal.proto.embedding.v1.SearchByVectorRequest;
import dev.shoal.proto.embedding.v1.SearchFilter;
import dev.shoal.proto.embedding.v1.SearchResponse;
import dev.shoal.proto.embedding.v1.SearchServiceGrpc;
import dev.shoal.proto.embedding.v1.StoredVector;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The gRPC SearchService on the HTTP port, called by a plain grpc-java client, against the real store. */
@QuarkusTest
@QuarkusTestResource(value = ShoalInfraTestResource.class, initArgs = @ResourceArg(name = "database", value = "embedding"))
class SearchGrpcServiceTest {

    @Inject
    VectorStore store;

    @TestHTTPResource("/")
    URL url;

    private ManagedChannel channel;
    private SearchServiceGrpc.SearchServiceBlockingStub client;

    @BeforeEach
    void connect() {
        channel = ManagedChannelBuilder.forAddress(url.getHost(), url.getPort()).usePlaintext().build();
        client = SearchServiceGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS);
    }

    @AfterEach
    void disconnect() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    private static SearchFilter filter(SearchFixtures f) {
        return SearchFilter.newBuilder().setDatasetId(f.dataset).setModelVersion(f.modelVersion).build();
    }

    private static List<String> ids(SearchResponse r) {
        return r.getNeighborsList().stream().map(n -> n.getFrame().getFrameId()).toList();
    }

    @Test
    void searchesByVectorFrameAndCentroidWithFilters() {
        SearchFixtures f = new SearchFixtures(store);
        SearchResponse byVector = client.searchByVector(SearchByVectorRequest.newBuilder()
                .addAllVector(List.of(0f, 1f, 0f, 0f)).setK(2).setFilter(filter(f)).build());
        assertEquals(List.of("q0", "q1"), ids(byVector));
        assertEquals(1.0f, byVector.getNeighbors(0).getScore(), 1e-6);
        assertEquals(4, byVector.getDimension());
        assertEquals(0, byVector.getNeighbors(0).getFrame().getVectorCount());

        SearchResponse labeledOnly = client.searchByVector(SearchByVectorRequest.newBuilder()
                .addAllVector(List.of(0f, 1f, 0f, 0f)).setK(20)
                .setFilter(filter(f).toBuilder().setLabeled(LabeledFilter.LABELED_ONLY)).build());
        assertEquals(10, labeledOnly.getNeighborsCount());
        assertTrue(ids(labeledOnly).stream().noneMatch(id -> id.startsWith("q")));

        SearchResponse byFrame = client.searchByFrame(SearchByFrameRequest.newBuilder()
                .setFrameId("p0").setK(3).setFilter(filter(f)).setIncludeVectors(true).build());
        assertEquals(List.of("p1", "p2", "p3"), ids(byFrame));
        assertEquals(4, byFrame.getNeighbors(0).getFrame().getVectorCount());

        SearchResponse byFrames = client.searchByFrames(SearchByFramesRequest.newBuilder()
                .addAllFrameIds(List.of("q0", "r0")).setK(4).setFilter(filter(f)).build());
        assertTrue(ids(byFrames).stream().allMatch(id -> id.matches("[qr][1-4]")), ids(byFrames).toString());
    }

    @Test
    void aTextQueryIsEmbeddedByTheTextModel() {
        SearchResponse r = client.searchByText(SearchByTextRequest.newBuilder().setText("a cat on a sofa").setK(5)
                .setFilter(SearchFilter.newBuilder().setDatasetId("no-texts-here")).build());
        assertEquals(384, r.getDimension());
        assertTrue(r.getModelVersion().startsWith("all-minilm-l6-v2@"), r.getModelVersion());
        assertEquals(0, r.getNeighborsCount());
    }

    @Test
    void badRequestsGetInvalidArgumentOrNotFoundNamingTheField() {
        SearchFixtures f = new SearchFixtures(store);
        StatusRuntimeException k = assertThrows(StatusRuntimeException.class, () -> client.searchByVector(
                SearchByVectorRequest.newBuilder().addAllVector(List.of(1f, 0f, 0f, 0f)).setK(0).setFilter(filter(f)).build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, k.getStatus().getCode());
        assertTrue(k.getStatus().getDescription().startsWith("k:"), k.getStatus().getDescription());

        StatusRuntimeException dim = assertThrows(StatusRuntimeException.class, () -> client.searchByVector(
                SearchByVectorRequest.newBuilder().addAllVector(List.of(1f, 0f)).setK(3).setFilter(filter(f)).build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, dim.getStatus().getCode());
        assertTrue(dim.getStatus().getDescription().contains("vector"), dim.getStatus().getDescription());

        StatusRuntimeException frame = assertThrows(StatusRuntimeException.class, () -> client.searchByFrame(
                SearchByFrameRequest.newBuilder().setFrameId("ghost").setK(3).setFilter(filter(f)).build()));
        assertEquals(Status.Code.NOT_FOUND, frame.getStatus().getCode());
        assertTrue(frame.getStatus().getDescription().contains("frame_id"), frame.getStatus().getDescription());

        StatusRuntimeException noModel = assertThrows(StatusRuntimeException.class, () -> client.searchByFrame(
                SearchByFrameRequest.newBuilder().setFrameId("p0").setK(3).build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, noModel.getStatus().getCode());
        assertTrue(noModel.getStatus().getDescription().contains("model_version"));

        StatusRuntimeException export = assertThrows(StatusRuntimeException.class, () -> client.exportVectors(
                ExportVectorsRequest.newBuilder().setModelVersion(f.modelVersion).build()).hasNext());
        assertEquals(Status.Code.INVALID_ARGUMENT, export.getStatus().getCode());
        assertTrue(export.getStatus().getDescription().contains("dataset_id"));
    }

    @Test
    void exportStreamsEveryVectorOfADatasetAndModelVersion() {
        SearchFixtures f = new SearchFixtures(store);
        List<VectorRecord> more = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            more.add(new VectorRecord("bulk" + i, f.modelVersion, f.dataset, "train", null, null, false, null,
                    new float[]{1, i, 0, 0}));
        }
        store.upsert(more);
        Iterator<StoredVector> it = client.exportVectors(ExportVectorsRequest.newBuilder()
                .setDatasetId(f.dataset).setModelVersion(f.modelVersion).build());
        int n = 0;
        while (it.hasNext()) {
            StoredVector v = it.next();
            assertEquals(4, v.getVectorCount());
            assertEquals(f.dataset, v.getDatasetId());
            n++;
        }
        assertEquals(2015, n);
        assertEquals(2015, client.countVectors(CountVectorsRequest.newBuilder()
                .setDatasetId(f.dataset).setModelVersion(f.modelVersion).build()).getCount());
    }
}
