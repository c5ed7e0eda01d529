package dev.shoal.mining.service;

import dev.shoal.mining.domain.AnalysisKind;

import java.util.Map;
import java.util.Optional;

/** One kind of analysis, run over a loaded {@link AnalysisContext}; thin wiring around a plain-Java algorithm. */
public interface AnalysisStep {

    AnalysisKind kind();

    /** Empty when the step can run in this build; otherwise why not (e.g. its algorithm is not built yet). */
    default Optional<String> unavailable() {
        return Optional.empty();
    }

    /** Relative cost, for the percent-done estimate. */
    default int weight() {
        return 1;
    }

    /** Runs the step, stores its results, and returns a short summary for GET /v1/analyses/{id}. */
    Map<String, Object> run(AnalysisContext ctx);
}
