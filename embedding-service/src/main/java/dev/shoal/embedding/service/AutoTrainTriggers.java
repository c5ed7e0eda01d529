package dev.shoal.embedding.service;

import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Datasets whose labels changed or whose image frames found no model since auto-training last looked at them: the
 * label consumer and the pipeline add to it, {@code AutoTrainingService} takes them out, so it looks at a dataset
 * only when something changed, not at every dataset on every check.
 */
@ApplicationScoped
public class AutoTrainTriggers {

    private final Set<String> datasets = ConcurrentHashMap.newKeySet();

    public void touch(String datasetId) {
        if (datasetId != null && !datasetId.isBlank()) {
            datasets.add(datasetId);
        }
    }

    /** The datasets touched since the last call, removed from the set. */
    public List<String> drain() {
        List<String> out = new ArrayList<>();
        for (String d : datasets) {
            if (datasets.remove(d)) {
                out.add(d);
            }
        }
        return out;
    }
}
