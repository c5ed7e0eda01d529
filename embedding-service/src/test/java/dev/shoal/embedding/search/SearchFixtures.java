package dev.shoal.embedding.search;

import dev.shoal.embedding.store.VectorRecord;
import dev.shoal.embedding.store.VectorStore;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Vectors written straight into the service's store, for the search API tests: in a fresh dataset and model
 * version, frames p0..p4 point along x (cat, labeled, train), q0..q4 along y (dog, unlabeled), r0..r4 along z.
 */
public final class SearchFixtures {

    public final String dataset = "ds-" + UUID.randomUUID().toString().substring(0, 8);
    public final String modelVersion = "test-model@" + UUID.randomUUID().toString().substring(0, 8);
    /** The API's spelling of {@link #modelVersion}: model_id and model_version. */
    public final String modelId = "test-model";
    public final String version = modelVersion.substring(modelVersion.indexOf('@') + 1);
    public final List<VectorRecord> rows = new ArrayList<>();

    public SearchFixtures(VectorStore store) {
        String[] groups = {"p", "q", "r"};
        for (int g = 0; g < 3; g++) {
            for (int i = 0; i < 5; i++) {
                float[] v = new float[4];
                v[g] = 1;
                v[3] = 0.05f * i; // a little spread inside the group: i = 0 is the group's axis
                boolean labeled = g != 1;
                rows.add(new VectorRecord(groups[g] + i, modelVersion, dataset, labeled ? "train" : "unlabeled",
                        labeled ? (g == 0 ? "cat" : "bird") : null, g == 0 ? "cat" : "dog", labeled,
                        labeled ? "ann" : null, v));
            }
        }
        store.upsert(rows);
    }
}
