package dev.shoal.embedding.search.grpc;

import dev.shoal.embedding.search.SearchException;
import dev.shoal.embedding.search.VectorSearchService;
import dev.shoal.embedding.store.VectorRecord;
import dev.shoal.proto.embedding.v1.CountVectorsRequest;
import dev.shoal.proto.embedding.v1.CountVectorsResponse;
import dev.shoal.proto.embedding.v1.ExportVectorsRequest;
import dev.shoal.proto.embedding.v1.SearchByFrameRequest;
import dev.shoal.proto.embedding.v1.SearchByFramesRequest;
import dev.shoal.proto.embedding.v1.SearchByTextRequest;
import dev.shoal.proto.embedding.v1.SearchByVectorRequest;
import dev.shoal.proto.embedding.v1.SearchResponse;
import dev.shoal.proto.embedding.v1.SearchService;
import dev.shoal.proto.embedding.v1.StoredVector;
import io.grpc.Status;
import io.quarkus.grpc.GrpcService;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;

import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The gRPC SearchService (embedding-v1.proto), on the HTTP port. Bad input is INVALID_ARGUMENT, an unknown frame
 * NOT_FOUND, a missing text model UNAVAILABLE; the description names the field.
 *
 * <p>ExportVectors streams straight from the store's lazy cursor. Quarkus' Mutiny server stubs request unbounded
 * demand, so a client that reads slower than the store produces makes the server buffer; the REST NDJSON export
 * is paced by the socket instead.
 */
@GrpcService
public class SearchGrpcService implements SearchService {

    @Inject
    VectorSearchService search;

    @Override
    @Blocking
    public Uni<SearchResponse> searchByVector(SearchByVectorRequest req) {
        return call(() -> SearchMapper.response(search.byVector(SearchMapper.request(req)), req.getIncludeVectors()));
    }

    @Override
    @Blocking
    public Uni<SearchResponse> searchByFrame(SearchByFrameRequest req) {
        return call(() -> SearchMapper.response(search.byFrame(SearchMapper.request(req)), req.getIncludeVectors()));
    }

    @Override
    @Blocking
    public Uni<SearchResponse> searchByFrames(SearchByFramesRequest req) {
        return call(() -> SearchMapper.response(search.byFrames(SearchMapper.request(req)), req.getIncludeVectors()));
    }

    @Override
    @Blocking
    public Uni<SearchResponse> searchByText(SearchByTextRequest req) {
        return call(() -> SearchMapper.response(search.byText(SearchMapper.request(req)), req.getIncludeVectors()));
    }

    @Override
    @Blocking
    public Uni<CountVectorsResponse> countVectors(CountVectorsRequest req) {
        return call(() -> CountVectorsResponse.newBuilder()
                .setCount(search.count(req.getDatasetId(), req.getModelVersion())).build());
    }

    @Override
    @Blocking
    public Multi<StoredVector> exportVectors(ExportVectorsRequest req) {
        return Multi.createFrom().<Stream<VectorRecord>, StoredVector>resource(
                        () -> search.export(req.getDatasetId(), req.getModelVersion()),
                        rows -> Multi.createFrom().iterable(rows::iterator).map(r -> SearchMapper.vector(r, true)))
                .withFinalizer((java.util.function.Consumer<Stream<VectorRecord>>) Stream::close)
                .onFailure().transform(SearchGrpcService::status);
    }

    private static <T> Uni<T> call(Supplier<T> body) {
        return Uni.createFrom().item(body).onFailure().transform(SearchGrpcService::status);
    }

    static Throwable status(Throwable t) {
        if (t instanceof SearchException e) {
            Status s = switch (e.reason()) {
                case INVALID -> Status.INVALID_ARGUMENT;
                case NOT_FOUND -> Status.NOT_FOUND;
                case UNAVAILABLE -> Status.UNAVAILABLE;
            };
            return s.withDescription(e.getMessage()).asRuntimeException();
        }
        if (t instanceof IllegalArgumentException) {
            return Status.INVALID_ARGUMENT.withDescription(t.getMessage()).asRuntimeException();
        }
        return t;
    }
}
