package dev.shoal.embedding.search.rest;

import com.fasterxml.jackson.annotation.JsonAlias;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.shoal.embedding.domain.ModelRef;
import dev.shoal.embedding.search.SearchException;
import dev.shoal.embedding.search.SearchRequest;
import dev.shoal.embedding.search.SearchResult;
import dev.shoal.embedding.search.VectorSearchService;
import dev.shoal.embedding.store.SearchHit;
import dev.shoal.embedding.store.VectorRecord;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;

/** Similarity search over the vector store (REST twin of the gRPC SearchService). Similarity is cosine. */
@Path("/v1/search")
@Tag(name = "search", description = "k nearest neighbours of a vector, a frame, a set of frames or a text; vector export")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class SearchResource {

    public static final String NDJSON = "application/x-ndjson";

    /** k when a REST query leaves it out. (gRPC has no "absent": a k of 0 is refused there.) */
    static final int DEFAULT_K = 10;

    @Inject
    VectorSearchService search;

    @Inject
    ObjectMapper json;

    // ---------------------------------------------------------------- DTOs
    // JSON names are snake_case (quarkus.jackson.property-naming-strategy); the lowerCamelCase spelling proto3-JSON
    // allows is accepted on input (@JsonAlias); any other field is refused with 400 naming it (JsonBindingErrorMapper).

    @Schema(description = "Which frames may be returned; absent fields match everything")
    public record Filter(
            @JsonAlias("datasetId") @Schema(description = "dataset id") String datasetId,
            @JsonAlias("modelId") @Schema(description = "the embedding model; with model_version, required except for "
                    + "text queries", examples = "all-minilm-l6-v2") String modelId,
            @JsonAlias("modelVersion") @Schema(description = "the embedding model's version", examples = "1") String modelVersion,
            @Schema(description = "train / validation / test / unlabeled") String split,
            @Schema(description = "true = labeled frames only, false = the unlabeled pool only, absent = both") Boolean labeled,
            @Schema(description = "class label the frame carries") String label,
            @Schema(description = "class the model predicted") String prediction) {

        SearchRequest.Filter toDomain() {
            return new SearchRequest.Filter(datasetId, storeKey("filter.", modelId, modelVersion), split, labeled, label,
                    prediction);
        }
    }

    // Each query maps to its SearchRequest here; VectorSearchService validates it (SearchRequestValidator), for
    // REST and gRPC alike. Only REST has optional fields: an absent k is DEFAULT_K, an absent filter matches all.

    public record VectorQuery(@Schema(required = true) float[] vector,
                              @Schema(description = "neighbours wanted, 1..max-k (default 10)") Integer k,
                              Filter filter, @JsonAlias("includeVectors") Boolean includeVectors) {

        SearchRequest.ByVector toDomain() {
            return new SearchRequest.ByVector(vector, kOrDefault(k), filterOrNone(filter));
        }
    }

    public record FrameQuery(@JsonAlias("frameId") @Schema(required = true) String frameId, Integer k, Filter filter,
                             @JsonAlias("includeVectors") Boolean includeVectors) {

        SearchRequest.ByFrame toDomain() {
            return new SearchRequest.ByFrame(frameId, kOrDefault(k), filterOrNone(filter));
        }
    }

    public record FramesQuery(@JsonAlias("frameIds") @Schema(required = true, description = "their centroid is the query")
                              List<String> frameIds, Integer k, Filter filter,
                              @JsonAlias("includeVectors") Boolean includeVectors) {

        SearchRequest.ByFrames toDomain() {
            return new SearchRequest.ByFrames(frameIds, kOrDefault(k), filterOrNone(filter));
        }
    }

    public record TextQuery(@Schema(required = true) String text, Integer k, Filter filter,
                            @JsonAlias("includeVectors") Boolean includeVectors) {

        SearchRequest.ByText toDomain() {
            return new SearchRequest.ByText(text, kOrDefault(k), filterOrNone(filter));
        }
    }

    @Schema(description = "One stored vector and its scalar fields")
    public record Vector(String frameId, String modelId, String modelVersion, String datasetId, String split,
                         String label, String prediction, boolean labeled, String labelerId,
                         @Schema(description = "absent unless include_vectors") float[] vector) {

        static Vector of(VectorRecord r, boolean withVector) {
            ModelRef model = ModelRef.parse(r.modelVersion());
            return new Vector(r.frameId(), model.modelId(), model.version(), r.datasetId(), r.split(), r.label(),
                    r.prediction(), r.labeled(), r.labelerId(), withVector ? r.vector() : null);
        }
    }

    public record Neighbor(Vector frame, @Schema(description = "cosine similarity, higher is nearer") float score) {
    }

    public record Result(String modelId, String modelVersion, int dimension, List<Neighbor> neighbors) {

        static Result of(SearchResult r, Boolean withVectors) {
            boolean v = Boolean.TRUE.equals(withVectors);
            ModelRef model = ModelRef.parse(r.modelVersion());
            return new Result(model.modelId(), model.version(), r.dimension(),
                    r.hits().stream().map((SearchHit h) -> new Neighbor(Vector.of(h.record(), v), h.score())).toList());
        }
    }

    public record Count(String datasetId, String modelId, String modelVersion, long count) {
    }

    public record Error(String error, String field, String message) {
    }

    // ---------------------------------------------------------------- endpoints

    @POST
    @Path("/vector")
    @Operation(summary = "k nearest neighbours of a vector")
    @APIResponse(responseCode = "200", description = "neighbours, most similar first")
    @APIResponse(responseCode = "400", description = "bad k, missing model version, or a vector of the wrong dimension")
    @APIResponse(responseCode = "404", description = "the store holds no vectors of that model version")
    public Result byVector(VectorQuery q) {
        return Result.of(search.byVector(body(q).toDomain()), q.includeVectors());
    }

    @POST
    @Path("/frame")
    @Operation(summary = "k nearest neighbours of a stored frame (the frame itself left out)")
    @APIResponse(responseCode = "200", description = "neighbours, most similar first")
    @APIResponse(responseCode = "400", description = "bad k or missing frame id / model version")
    @APIResponse(responseCode = "404", description = "the frame has no vector of that model version")
    public Result byFrame(FrameQuery q) {
        return Result.of(search.byFrame(body(q).toDomain()), q.includeVectors());
    }

    @POST
    @Path("/frames")
    @Operation(summary = "k nearest neighbours of the centroid of several stored frames (the frames left out)")
    @APIResponse(responseCode = "200", description = "neighbours, most similar first")
    @APIResponse(responseCode = "400", description = "bad k, no frame ids, or missing model version")
    @APIResponse(responseCode = "404", description = "a frame has no vector of that model version")
    public Result byFrames(FramesQuery q) {
        return Result.of(search.byFrames(body(q).toDomain()), q.includeVectors());
    }

    @POST
    @Path("/text")
    @Operation(summary = "k nearest neighbours of a text, embedded by the service's text model")
    @APIResponse(responseCode = "200", description = "neighbours, most similar first")
    @APIResponse(responseCode = "400", description = "bad k, empty text, or a model version the text model cannot search")
    @APIResponse(responseCode = "503", description = "text model not loaded")
    public Result byText(TextQuery q) {
        return Result.of(search.byText(body(q).toDomain()), q.includeVectors());
    }

    @GET
    @Path("/count")
    @Operation(summary = "how many vectors a dataset and model version have (absent = any)")
    @APIResponse(responseCode = "400", description = "model_id without model_version or the reverse, or an unknown parameter")
    public Count count(@QueryParam("dataset_id") String datasetId, @QueryParam("model_id") String modelId,
                       @QueryParam("model_version") String modelVersion) {
        return new Count(datasetId, modelId, modelVersion, search.count(datasetId, storeKey("", modelId, modelVersion)));
    }

    @GET
    @Path("/export")
    @Produces(NDJSON)
    @Operation(summary = "every vector of a dataset and model version, streamed as NDJSON (one Vector per line)")
    @APIResponse(responseCode = "200", description = "one JSON object per line, with its vector",
            content = @Content(mediaType = NDJSON, schema = @Schema(implementation = Vector.class)))
    @APIResponse(responseCode = "400", description = "dataset_id, model_id or model_version missing, or an unknown parameter")
    public Response export(@Parameter(required = true) @QueryParam("dataset_id") String datasetId,
                           @Parameter(required = true) @QueryParam("model_id") String modelId,
                           @Parameter(required = true) @QueryParam("model_version") String modelVersion) {
        if (datasetId == null || datasetId.isBlank()) {
            throw SearchException.invalid("dataset_id", "is required");
        }
        if (blank(modelId) && blank(modelVersion)) {
            throw SearchException.invalid("model_id", "is required, with model_version");
        }
        Stream<VectorRecord> rows = search.export(datasetId, storeKey("", modelId, modelVersion)); // validates before the response starts
        StreamingOutput body = (OutputStream out) -> {
            try (rows; BufferedOutputStream buffered = new BufferedOutputStream(out, 1 << 16)) {
                Iterator<VectorRecord> it = rows.iterator();
                while (it.hasNext()) {
                    json.writeValue(new NonClosing(buffered), Vector.of(it.next(), true));
                    buffered.write('\n');
                }
            }
        };
        return Response.ok(body, NDJSON).build();
    }

    /** Jackson closes the stream it writes to unless told otherwise; this keeps the response open between lines. */
    private static final class NonClosing extends java.io.FilterOutputStream {
        NonClosing(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws java.io.IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() {
            // the response stream stays open
        }
    }

    // ---------------------------------------------------------------- errors

    @ServerExceptionMapper
    public Response map(SearchException e) {
        Response.Status status = switch (e.reason()) {
            case INVALID -> Response.Status.BAD_REQUEST;
            case NOT_FOUND -> Response.Status.NOT_FOUND;
            case UNAVAILABLE -> Response.Status.SERVICE_UNAVAILABLE;
        };
        return Response.status(status).type(MediaType.APPLICATION_JSON)
                .entity(new Error(status.getReasonPhrase(), e.field(), e.getMessage())).build();
    }

    /** The request body, which JAX-RS passes as null when the request has none. */
    private static <Q> Q body(Q q) {
        if (q == null) {
            throw SearchException.invalid("body", "a JSON request body is required");
        }
        return q;
    }

    /**
     * The vector store's key of a model version, {@code modelId@version}, from the API's two fields; null when both
     * are absent. {@code prefix} is where the fields sit in the request ({@code filter.} or none).
     */
    static String storeKey(String prefix, String modelId, String modelVersion) {
        if (blank(modelId) && blank(modelVersion)) {
            return null;
        }
        if (blank(modelId)) {
            throw SearchException.invalid(prefix + "model_id", "is required with " + prefix + "model_version");
        }
        if (blank(modelVersion)) {
            throw SearchException.invalid(prefix + "model_version", "is required with " + prefix + "model_id");
        }
        if (modelVersion.indexOf('@') >= 0) {
            throw SearchException.invalid(prefix + "model_version", "must not contain '@'");
        }
        return new ModelRef(modelId, modelVersion).storeVersion();
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    private static int kOrDefault(Integer k) {
        return k == null ? DEFAULT_K : k;
    }

    private static SearchRequest.Filter filterOrNone(Filter f) {
        return f == null ? SearchRequest.Filter.NONE : f.toDomain();
    }
}
