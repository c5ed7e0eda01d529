package dev.shoal.ingest.rest;

import dev.shoal.ingest.service.CatalogService;
import dev.shoal.ingest.store.CatalogRepository;
import dev.shoal.proto.ingest.v1.Dataset;
import dev.shoal.proto.ingest.v1.ListDatasetsResponse;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;


@Path("/v1/datasets")
@Tag(name = "datasets")
@Produces(MediaType.APPLICATION_JSON)
public class DatasetResource {

    @Inject
    CatalogService catalog;

    @Inject
    CatalogRepository repository;

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Create a dataset (201 created, 200 exists identically, 409 exists with another definition)")
    @RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON, examples = @ExampleObject(name = "dataset", value =
            "{\"id\": \"cones\", \"name\": \"Traffic cones\", \"modality\": \"MODALITY_IMAGE\", \"class_names\": [\"cone\", \"background\"]}")))
    public Response create(String body, @HeaderParam(BatchResource.REQUEST_ID) String requestId) {
        Dataset dataset = ProtoJson.parse(body, Dataset.newBuilder(), "dataset");
        var result = catalog.createDataset(dataset, BatchResource.id(requestId));
        return Response.status(result.created() ? Response.Status.CREATED : Response.Status.OK)
                .entity(ProtoJson.print(result.value())).build();
    }

    @GET
    @Operation(summary = "List datasets")
    public String list() {
        return ProtoJson.print(ListDatasetsResponse.newBuilder().addAllDatasets(catalog.listDatasets()).build());
    }

    @GET
    @Path("/{id}")
    @Operation(summary = "A dataset with the counts of what it holds")
    public Response get(@PathParam("id") String id) {
        return repository.dataset(id)
                .map(d -> Response.ok(ProtoJson.print(d)).build())
                .orElseGet(() -> ErrorMappers.error(Response.Status.NOT_FOUND, "unknown dataset '" + id + "'"));
    }

    @GET
    @Path("/{id}/stats")
    @Operation(summary = "How many frames, labels, inferences, embeddings and model versions the dataset holds, with labels "
            + "per label set and inferences and user embeddings per model version (model_id:model_version)")
    public Response stats(@PathParam("id") String id) {
        if (repository.dataset(id).isEmpty()) {
            return ErrorMappers.error(Response.Status.NOT_FOUND, "unknown dataset '" + id + "'");
        }
        Map<String, Object> stats = new LinkedHashMap<>(new TreeMap<>(repository.counts(id)));
        stats.putAll(repository.breakdown(id));
        return Response.ok(stats).build();
    }

    @GET
    @Path("/{id}/frames/{frameId}")
    @Operation(summary = "A frame with its labels and inferences")
    public Response frame(@PathParam("id") String id, @PathParam("frameId") String frameId) {
        var frame = repository.frame(id, frameId);
        if (frame.isEmpty()) {
            return ErrorMappers.error(Response.Status.NOT_FOUND, "unknown frame '" + frameId + "' in dataset '" + id + "'");
        }
        // the parts are proto3-JSON documents; assemble them without re-encoding
        StringBuilder json = new StringBuilder("{\"frame\":").append(ProtoJson.print(frame.get()))
                .append(",\"labels\":[")
                .append(String.join(",", repository.labelsOf(id, frameId).stream().map(ProtoJson::print).toList()))
                .append("],\"inferences\":[")
                .append(String.join(",", repository.inferencesOf(id, frameId).stream().map(ProtoJson::print).toList()))
                .append("]}");
        return Response.ok(json.toString()).build();
    }
}
