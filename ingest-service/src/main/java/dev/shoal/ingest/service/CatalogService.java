package dev.shoal.ingest.service;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Message;
import dev.shoal.ingest.config.IngestConfig;
import dev.shoal.ingest.domain.BatchValidator;
import dev.shoal.ingest.messaging.EventPublisher;
import dev.shoal.ingest.store.CatalogRepository;
import dev.shoal.ingest.store.StoreException;
import dev.shoal.proto.Envelopes;
import dev.shoal.proto.common.v1.BatchResult;
import dev.shoal.proto.common.v1.EventEnvelope;
import dev.shoal.proto.common.v1.RowError;
import dev.shoal.proto.ingest.v1.Dataset;
import dev.shoal.proto.ingest.v1.DatasetCreated;
import dev.shoal.proto.ingest.v1.EmbeddingSupplied;
import dev.shoal.proto.ingest.v1.Frame;
import dev.shoal.proto.ingest.v1.FrameUpserted;
import dev.shoal.proto.ingest.v1.Inference;
import dev.shoal.proto.ingest.v1.InferenceUpserted;
import dev.shoal.proto.ingest.v1.Label;
import dev.shoal.proto.ingest.v1.LabelUpserted;
import dev.shoal.proto.ingest.v1.ModelVersion;
import dev.shoal.proto.ingest.v1.ModelVersionRegistered;
import dev.shoal.proto.ingest.v1.UserEmbedding;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.function.Function;

/**
 * The use cases of ingest: validate, store what is new or changed, and publish one event per change.
 * Each batch runs in one database transaction that commits only after the broker acknowledged its events
 * (at-least-once; consumers are idempotent). Invalid rows are reported, valid rows are kept.
 */
@ApplicationScoped
public class CatalogService {

    @Inject
    CatalogRepository repository;

    @Inject
    EventPublisher publisher;

    @Inject
    IngestConfig config;

    private BatchValidator validator;

    @PostConstruct
    void init() {
        validator = new BatchValidator(repository, config);
    }

    public int maxRowsPerBatch() {
        return config.maxRowsPerBatch();
    }

    // ------------------------------------------------------------------ datasets and models

    public record Created<T>(T value, boolean created) {
    }

    public Created<Dataset> createDataset(Dataset dataset, String correlationId) {
        validator.checkDataset(dataset).ifPresent(problem -> {
            throw new InvalidRequestException(problem);
        });
        Dataset toStore = dataset.toBuilder().setCreatedAt(Envelopes.timestamp(Instant.now())).build();
        try (Connection c = repository.connection()) {
            c.setAutoCommit(false);
            try {
                var result = repository.createDataset(c, toStore);
                if (result.created()) {
                    EventEnvelope env = publisher.envelope(dataset.getId(), dataset.getId(), correlationId);
                    publisher.await(List.of(publisher.send(EventPublisher.DATASET_EVENTS, env,
                            DatasetCreated.newBuilder().setEnvelope(env).setDataset(result.value()).build())), config.publishTimeout());
                } else if (!sameDefinition(result.value(), dataset)) {
                    c.rollback();
                    throw new ConflictException("dataset '" + dataset.getId() + "' already exists with a different definition");
                }
                c.commit();
                repository.cacheDataset(result.value());
                return new Created<>(result.value(), result.created());
            } catch (RuntimeException | SQLException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new StoreException("creating dataset " + dataset.getId(), e);
        }
    }

    private static boolean sameDefinition(Dataset stored, Dataset requested) {
        return stored.toBuilder().clearCreatedAt().build().equals(requested.toBuilder().clearCreatedAt().build());
    }

    public List<Dataset> listDatasets() {
        return repository.listDatasets();
    }

    public Created<ModelVersion> registerModelVersion(ModelVersion model, String correlationId) {
        validator.checkModelVersion(model).ifPresent(problem -> {
            throw new InvalidRequestException(problem);
        });
        ModelVersion toStore = model.toBuilder().setCreatedAt(Envelopes.timestamp(Instant.now())).build();
        try (Connection c = repository.connection()) {
            c.setAutoCommit(false);
            try {
                var result = repository.registerModelVersion(c, toStore);
                if (result.created()) {
                    String key = model.getModelId() + ":" + model.getVersion();
                    EventEnvelope env = publisher.envelope(model.getDatasetId(), key, correlationId);
                    publisher.await(List.of(publisher.send(EventPublisher.MODEL_EVENTS, env,
                            ModelVersionRegistered.newBuilder().setEnvelope(env).setModelVersion(result.value()).build())), config.publishTimeout());
                } else if (!result.value().toBuilder().clearCreatedAt().build().equals(model.toBuilder().clearCreatedAt().build())) {
                    c.rollback();
                    throw new ConflictException("model_id " + model.getModelId() + " version " + model.getVersion()
                            + " is already registered with a different definition");
                }
                c.commit();
                return new Created<>(result.value(), result.created());
            } catch (RuntimeException | SQLException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new StoreException("registering model version", e);
        }
    }

    /**
     * Registers a batch of model versions, each on its own: a row that is invalid or conflicts with what is
     * registered becomes a row error ({@code model_versions[i].<field>}), the others are registered (stored) or
     * already registered identically (unchanged).
     */
    public BatchResult registerModelVersions(List<ModelVersion> models, String correlationId) {
        checkSize("model_versions", models.size());
        BatchResult.Builder out = BatchResult.newBuilder().setReceived(models.size());
        for (int i = 0; i < models.size(); i++) {
            ModelVersion m = models.get(i);
            try {
                if (registerModelVersion(m, correlationId).created()) {
                    out.setStored(out.getStored() + 1);
                } else {
                    out.setUnchanged(out.getUnchanged() + 1);
                }
            } catch (InvalidRequestException | ConflictException e) {
                java.util.regex.Matcher field = MODEL_VERSION_FIELD.matcher(e.getMessage());
                out.addErrors(RowError.newBuilder().setIndex(i).setId(m.getModelId())
                        .setField("model_versions[" + i + "]" + (field.lookingAt() ? field.group(1) : ""))
                        .setMessage(e.getMessage().replaceFirst("^model_version\\.", "")).build());
            }
        }
        return out.build();
    }

    /** The field a model version's problem names: "model_version.model_id must ..." gives ".model_id". */
    private static final java.util.regex.Pattern MODEL_VERSION_FIELD = java.util.regex.Pattern.compile("model_version(\\.[a-z_]+)");

    // ------------------------------------------------------------------ batches

    public BatchResult upsertFrames(List<Frame> frames, String correlationId) {
        checkSize("frames", frames.size());
        var checked = validator.frames(frames);
        BatchResult result = store(frames.size(), checked.valid(), checked.errors().list(), correlationId,
                repository::upsertFrames, EventPublisher.FRAME_EVENTS, FrameUpserted.getDescriptor(), Frame::getDatasetId, Frame::getId);
        if (config.rememberCommittedFrames()) {
            repository.rememberFrames(checked.valid()); // store() returned: they are committed (stored now or unchanged)
        }
        return result;
    }

    public BatchResult upsertLabels(List<Label> labels, String correlationId) {
        checkSize("labels", labels.size());
        var checked = validator.labels(labels);
        return store(labels.size(), checked.valid(), checked.errors().list(), correlationId,
                repository::upsertLabels, EventPublisher.LABEL_EVENTS, LabelUpserted.getDescriptor(), Label::getDatasetId, Label::getFrameId);
    }

    public BatchResult upsertInferences(List<Inference> inferences, String correlationId) {
        checkSize("inferences", inferences.size());
        var checked = validator.inferences(inferences);
        return store(inferences.size(), checked.valid(), checked.errors().list(), correlationId,
                repository::upsertInferences, EventPublisher.INFERENCE_EVENTS, InferenceUpserted.getDescriptor(),
                Inference::getDatasetId, Inference::getFrameId);
    }

    public BatchResult upsertEmbeddings(List<UserEmbedding> embeddings, String correlationId) {
        checkSize("embeddings", embeddings.size());
        var checked = validator.embeddings(embeddings);
        try {
            return store(embeddings.size(), checked.valid(), checked.errors().list(), correlationId,
                    repository::upsertEmbeddings, EventPublisher.EMBEDDING_EVENTS, EmbeddingSupplied.getDescriptor(),
                    UserEmbedding::getDatasetId, UserEmbedding::getFrameId);
        } catch (RuntimeException e) {
            repository.forgetDimensions();
            throw e;
        }
    }

    private void checkSize(String what, int rows) {
        if (rows == 0) {
            throw new InvalidRequestException(what + ": the batch is empty");
        }
        if (rows > config.maxRowsPerBatch()) {
            throw new InvalidRequestException(what + ": " + rows + " rows exceed the limit of " + config.maxRowsPerBatch()
                    + " rows per batch (split the batch)");
        }
    }

    @FunctionalInterface
    interface Upsert<T> {
        CatalogRepository.Stored<T> apply(Connection c, List<T> rows) throws SQLException;
    }

    private <T extends Message> BatchResult store(int received, List<T> valid, List<RowError> errors, String correlationId,
                                                  Upsert<T> upsert, String channel, Descriptor eventType,
                                                  Function<T, String> datasetId, Function<T, String> aggregateId) {
        int changedCount = 0;
        if (!valid.isEmpty()) {
            publisher.requireBroker();
            try (Connection c = repository.connection()) {
                c.setAutoCommit(false);
                try {
                    CatalogRepository.Stored<T> changed = upsert.apply(c, valid);
                    publisher.publishAll(channel, eventType, changed.rows(), changed.payloads(), datasetId, aggregateId,
                            correlationId, config.publishTimeout());
                    c.commit();
                    changedCount = changed.rows().size();
                } catch (RuntimeException | SQLException e) {
                    c.rollback();
                    throw e;
                }
            } catch (SQLException e) {
                throw new StoreException("storing the batch", e);
            }
        }
        return BatchResult.newBuilder()
                .setReceived(received)
                .setStored(changedCount)
                .setUnchanged(valid.size() - changedCount)
                .addAllErrors(errors)
                .build();
    }
}
