package dev.shoal.ingest.rest;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import dev.shoal.ingest.service.CatalogService;
import dev.shoal.ingest.service.InvalidRequestException;
import dev.shoal.proto.common.v1.BatchResult;
import dev.shoal.proto.ingest.v1.Frame;
import dev.shoal.proto.ingest.v1.Inference;
import dev.shoal.proto.ingest.v1.Label;
import dev.shoal.proto.ingest.v1.ModelVersion;
import dev.shoal.proto.ingest.v1.UpsertEmbeddingsRequest;
import dev.shoal.proto.ingest.v1.UpsertFramesRequest;
import dev.shoal.proto.ingest.v1.UpsertInferencesRequest;
import dev.shoal.proto.ingest.v1.UpsertLabelsRequest;
import dev.shoal.proto.ingest.v1.UserEmbedding;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.List;
import java.util.UUID;
import java.util.function.BiFunction;
import java.util.function.Supplier;

/**
 * Batch upserts. Bodies are proto3-JSON ({@code {"frames": [...]}}; any other top-level field is refused) or binary protobuf
 * ({@code application/x-protobuf}, an {@code Upsert*Request}). Thousands of rows per call.
 * 200: every row valid (stored or unchanged). 400: some rows refused; the body lists each with its index and field,
 * and the valid rows of the batch were stored all the same ({@code stored} + {@code unchanged}).
 */
@Path("/v1")
@Tag(name = "batches", description = "Upsert frames, labels, inferences and embeddings in batches")
@Produces(MediaType.APPLICATION_JSON)
public class BatchResource {

    public static final String PROTOBUF = "application/x-protobuf";
    static final String REQUEST_ID = "X-Request-Id";

    @Inject
    CatalogService catalog;

    @POST
    @Path("/frames")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Upsert frames (id, data URIs, modality, metadata, split, size)")
    @RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON, examples = @ExampleObject(name = "frames", value =
            "{\"frames\": [{\"dataset_id\": \"cones\", \"id\": \"f-1\", \"uris\": [\"file:///data/f-1.png\"], "
                    + "\"split\": \"SPLIT_TRAIN\", \"width\": 640, \"height\": 480, \"metadata\": {\"camera\": \"front\"}}]}")))
    @APIResponse(responseCode = "200", description = "BatchResult: every row stored or unchanged")
    @APIResponse(responseCode = "400", description = "BatchResult with the refused rows; the valid ones were stored")
    public Response frames(String body, @HeaderParam(REQUEST_ID) String requestId) {
        return json(body, "frames", Frame::newBuilder, catalog::upsertFrames, requestId);
    }

    @POST
    @Path("/frames")
    @Consumes(PROTOBUF)
    @Operation(summary = "Upsert frames (binary UpsertFramesRequest)")
    public Response framesProto(byte[] body, @HeaderParam(REQUEST_ID) String requestId) {
        return respond(catalog.upsertFrames(parse(body, UpsertFramesRequest.parser()).getFramesList(), id(requestId)));
    }

    @POST
    @Path("/labels")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Upsert labels (classification, boxes or polygons; labeler_id and label_set required)")
    @RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON, examples = @ExampleObject(name = "labels", value =
            "{\"labels\": [{\"dataset_id\": \"cones\", \"frame_id\": \"f-1\", \"labeler_id\": \"ann-7\", \"label_set\": \"v1\", "
                    + "\"boxes\": {\"boxes\": [{\"class_name\": \"cone\", \"x\": 10, \"y\": 20, \"width\": 30, \"height\": 40}]}}]}")))
    public Response labels(String body, @HeaderParam(REQUEST_ID) String requestId) {
        return json(body, "labels", Label::newBuilder, catalog::upsertLabels, requestId);
    }

    @POST
    @Path("/labels")
    @Consumes(PROTOBUF)
    public Response labelsProto(byte[] body, @HeaderParam(REQUEST_ID) String requestId) {
        return respond(catalog.upsertLabels(parse(body, UpsertLabelsRequest.parser()).getLabelsList(), id(requestId)));
    }

    @POST
    @Path("/inferences")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Upsert model inferences (class probabilities summing to 1, or scored boxes)")
    @RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON, examples = @ExampleObject(name = "inferences", value =
            "{\"inferences\": [{\"dataset_id\": \"cones\", \"frame_id\": \"f-1\", \"model_id\": \"resnet\", \"model_version\": \"3\", "
                    + "\"classification\": {\"scores\": [{\"class_name\": \"cone\", \"probability\": 0.9}, "
                    + "{\"class_name\": \"background\", \"probability\": 0.1}]}}]}")))
    public Response inferences(String body, @HeaderParam(REQUEST_ID) String requestId) {
        return json(body, "inferences", Inference::newBuilder, catalog::upsertInferences, requestId);
    }

    @POST
    @Path("/inferences")
    @Consumes(PROTOBUF)
    public Response inferencesProto(byte[] body, @HeaderParam(REQUEST_ID) String requestId) {
        return respond(catalog.upsertInferences(parse(body, UpsertInferencesRequest.parser()).getInferencesList(), id(requestId)));
    }

    @POST
    @Path("/embeddings")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Upsert user-supplied embeddings (one dimension per model version)")
    public Response embeddings(String body, @HeaderParam(REQUEST_ID) String requestId) {
        return json(body, "embeddings", UserEmbedding::newBuilder, catalog::upsertEmbeddings, requestId);
    }

    @POST
    @Path("/embeddings")
    @Consumes(PROTOBUF)
    public Response embeddingsProto(byte[] body, @HeaderParam(REQUEST_ID) String requestId) {
        return respond(catalog.upsertEmbeddings(parse(body, UpsertEmbeddingsRequest.parser()).getEmbeddingsList(), id(requestId)));
    }

    @POST
    @Path("/model-versions")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Register model versions (a model_id and its version, framework, metrics, parent_version)",
            description = "Each row is registered on its own: stored (new), unchanged (already registered identically) "
                    + "or a row error (invalid, or registered before with a different definition)")
    @RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON, examples = @ExampleObject(name = "model_versions", value =
            "{\"model_versions\": [{\"dataset_id\": \"cones\", \"model_id\": \"resnet\", \"version\": \"3\", "
                    + "\"framework\": \"pytorch\", \"parent_version\": \"2\", \"metrics\": {\"accuracy\": \"0.91\"}}]}")))
    @APIResponse(responseCode = "200", description = "BatchResult: every row registered or already registered identically")
    @APIResponse(responseCode = "400", description = "BatchResult with the refused rows; the valid ones were registered")
    public Response modelVersions(String body, @HeaderParam(REQUEST_ID) String requestId) {
        return json(body, "model_versions", ModelVersion::newBuilder, catalog::registerModelVersions, requestId);
    }

    private <T extends Message> Response json(String body, String collection, Supplier<Message.Builder> builders,
                                              BiFunction<List<T>, String, BatchResult> upsert, String requestId) {
        ProtoJson.Rows<T> rows = ProtoJson.rows(body, collection, builders);
        if (rows.rows().isEmpty() && !rows.errors().isEmpty()) {
            return respond(BatchResult.newBuilder().setReceived(rows.errors().size()).addAllErrors(rows.errors()).build());
        }
        return respond(rows.merge(upsert.apply(rows.rows(), id(requestId)), collection));
    }

    static Response respond(BatchResult result) {
        return Response.status(result.getErrorsCount() == 0 ? Response.Status.OK : Response.Status.BAD_REQUEST)
                .type(MediaType.APPLICATION_JSON).entity(ProtoJson.print(result)).build();
    }

    static String id(String requestId) {
        return requestId == null || requestId.isBlank() ? UUID.randomUUID().toString() : requestId;
    }

    private static <T> T parse(byte[] body, com.google.protobuf.Parser<T> parser) {
        try {
            return parser.parseFrom(body);
        } catch (InvalidProtocolBufferException e) {
            throw new InvalidRequestException("the body is not a valid protobuf message: " + e.getMessage());
        }
    }
}
