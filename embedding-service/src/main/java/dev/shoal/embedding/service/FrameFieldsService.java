package dev.shoal.embedding.service;

import dev.shoal.embedding.catalog.FrameCatalogRepository;
import dev.shoal.embedding.catalog.FrameCatalogRepository.CurrentFields;
import dev.shoal.embedding.store.FieldUpdate;
import dev.shoal.embedding.store.VectorStore;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;

import java.util.function.Function;

/**
 * Records a frame's classification label or prediction in the frame catalog, then copies the frame's CURRENT value
 * (the most recently updated one, read back from the catalog) onto the frame's stored vectors, every model version.
 * The catalog is written first so that a label or prediction arriving before the vector is not lost: the pipeline
 * reads the catalog when it writes the vector. A new label also has auto-training look at the dataset again. Used by
 * the LabelUpserted and InferenceUpserted consumers.
 */
@ApplicationScoped
public class FrameFieldsService {

    @Inject
    FrameCatalogRepository catalog;

    @Inject
    AutoTrainTriggers autoTrain;

    /** Resolved lazily: the store's producer is chosen by configuration. */
    @Inject
    Instance<VectorStore> stores;

    /** A classification label: the vectors get the frame's current label and its labeler (and labeled = true). */
    public void recordLabel(String datasetId, String frameId, String labelSet, String labelerId, String className) {
        catalog.upsertLabel(datasetId, frameId, labelSet, labelerId, className);
        autoTrain.touch(datasetId);
        copyToStoredVectors(datasetId, frameId,
                now -> now.label() == null ? null : FieldUpdate.label(now.label(), now.labelerId()));
    }

    /** A model's top predicted class: the vectors get the frame's current prediction, whichever model made it. */
    public void recordPrediction(String datasetId, String frameId, String modelId, String modelVersion, String className) {
        catalog.upsertPrediction(datasetId, frameId, modelId, modelVersion, className);
        copyToStoredVectors(datasetId, frameId,
                now -> now.prediction() == null ? null : FieldUpdate.prediction(now.prediction()));
    }

    /**
     * Reads the frame's current fields back from the catalog and applies the update {@code toUpdate} makes of them
     * (null: nothing to apply) to the frame's stored vectors.
     */
    private void copyToStoredVectors(String datasetId, String frameId, Function<CurrentFields, FieldUpdate> toUpdate) {
        FieldUpdate update = toUpdate.apply(catalog.currentFields(datasetId, frameId));
        if (update != null) {
            stores.get().updateFields(datasetId, frameId, update);
        }
    }
}
