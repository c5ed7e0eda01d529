package dev.shoal.ingest.service;

import dev.shoal.proto.common.v1.BatchResult;
import dev.shoal.proto.common.v1.RowError;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a bulk import did: per kind of row, how many were received / stored / unchanged, and every refused row
 * with where it was in the file ("line 17", "annotations[42]") and why.
 */
public final class ImportReport {

    public record Counts(long received, long stored, long unchanged, long refused) {
    }

    public record Problem(String where, String field, String message) {
    }

    private final Map<String, long[]> counts = new LinkedHashMap<>();
    private final List<Problem> problems = new ArrayList<>();
    private final Map<String, Object> notes = new LinkedHashMap<>();

    /** Adds a batch result; {@code where} maps a row index of the batch to its place in the file. */
    public void add(String kind, BatchResult result, java.util.function.IntFunction<String> where) {
        long[] c = counts.computeIfAbsent(kind, k -> new long[4]);
        c[0] += result.getReceived();
        c[1] += result.getStored();
        c[2] += result.getUnchanged();
        c[3] += result.getErrorsCount();
        for (RowError e : result.getErrorsList()) {
            String field = e.getField().replaceFirst("^[a-z_]+\\[\\d+\\]\\.?", "");
            problems.add(new Problem(where.apply(e.getIndex()), field, e.getMessage()));
        }
    }

    /** A row refused before it reached validation (it did not parse, or referred to nothing). */
    public void refuse(String kind, String where, String field, String message) {
        long[] c = counts.computeIfAbsent(kind, k -> new long[4]);
        c[0]++;
        c[3]++;
        problems.add(new Problem(where, field, message));
    }

    public void note(String key, Object value) {
        notes.put(key, value);
    }

    public boolean hasProblems() {
        return !problems.isEmpty();
    }

    public Map<String, Object> toJson() {
        Map<String, Object> out = new LinkedHashMap<>(notes);
        Map<String, Counts> byKind = new LinkedHashMap<>();
        counts.forEach((k, c) -> byKind.put(k, new Counts(c[0], c[1], c[2], c[3])));
        out.put("counts", byKind);
        out.put("errors", problems.size() > 1000 ? problems.subList(0, 1000) : problems);
        out.put("error_count", problems.size());
        return out;
    }
}
