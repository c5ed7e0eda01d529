package dev.shoal.ingest.rest;

import dev.shoal.ingest.service.CocoImporter;
import dev.shoal.ingest.service.ImportReport;
import dev.shoal.ingest.service.InvalidRequestException;
import dev.shoal.ingest.service.JsonlImporter;
import dev.shoal.proto.ingest.v1.Split;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;

/** Bulk imports: JSON Lines and COCO. 200 when every row was accepted, 400 with the refused rows otherwise. */
@Path("/v1/import")
@Tag(name = "import", description = "Bulk import of JSONL and COCO files")
@Produces(MediaType.APPLICATION_JSON)
public class ImportResource {

    @Inject
    JsonlImporter jsonl;

    @Inject
    CocoImporter coco;

    @POST
    @Path("/jsonl")
    @Consumes({"application/x-ndjson", "application/jsonl", MediaType.TEXT_PLAIN, MediaType.APPLICATION_OCTET_STREAM})
    @Operation(summary = "Import JSON Lines: {\"frame\"|\"label\"|\"inference\"|\"embedding\"|\"model_version\": {...}} per line")
    public Response importJsonl(InputStream body, @QueryParam("dataset_id") String datasetId,
                                @HeaderParam(BatchResource.REQUEST_ID) String requestId) throws IOException {
        return respond(jsonl.importJsonl(body, datasetId, BatchResource.id(requestId)));
    }

    @POST
    @Path("/coco")
    @Consumes({MediaType.APPLICATION_JSON, MediaType.APPLICATION_OCTET_STREAM})
    @Operation(summary = "Import a COCO file: ground truth (images, annotations, categories) as frames + labels, "
            + "or a results array as inferences (model_id, model_version required)")
    public Response importCoco(InputStream body,
                               @QueryParam("dataset_id") String datasetId,
                               @QueryParam("label_set") @DefaultValue("coco") String labelSet,
                               @QueryParam("labeler_id") @DefaultValue("coco-import") String labelerId,
                               @QueryParam("image_root") String imageRoot,
                               @QueryParam("split") @DefaultValue("SPLIT_UNSPECIFIED") String split,
                               @QueryParam("annotation") @DefaultValue("auto") String annotation,
                               @QueryParam("model_id") String modelId,
                               @QueryParam("model_version") String modelVersion,
                               @HeaderParam(BatchResource.REQUEST_ID) String requestId) throws IOException {
        if (datasetId == null || datasetId.isBlank()) {
            throw new InvalidRequestException("dataset_id (query parameter) is required");
        }
        Split parsedSplit;
        try {
            parsedSplit = Split.valueOf(split.toUpperCase(Locale.ROOT).startsWith("SPLIT_") ? split.toUpperCase(Locale.ROOT) : "SPLIT_" + split.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException("split: unknown split '" + split + "'");
        }
        CocoImporter.Annotation kind;
        try {
            kind = CocoImporter.Annotation.valueOf(annotation.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException("annotation must be one of auto, boxes, polygons, classification; was '" + annotation + "'");
        }
        var options = new CocoImporter.Options(datasetId, labelSet, labelerId, imageRoot, parsedSplit, kind, modelId, modelVersion);
        return respond(coco.importCoco(body, options, BatchResource.id(requestId)));
    }

    private static Response respond(ImportReport report) {
        return Response.status(report.hasProblems() ? Response.Status.BAD_REQUEST : Response.Status.OK).entity(report.toJson()).build();
    }
}
