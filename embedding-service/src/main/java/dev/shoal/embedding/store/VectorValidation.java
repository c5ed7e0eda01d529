package dev.shoal.embedding.store;

import java.util.List;

/** Checks shared by every {@link VectorStore} implementation, so both reject the same rows with the same words. */
public final class VectorValidation {

    /** Largest dimension accepted (the embedded index raises Lucene's default of 1024 to this). */
    public static final int MAX_DIMENSION = 4096;

    private VectorValidation() {
    }

    /** Validates a batch; the message names the row (index and key) and the field. */
    public static void checkRecords(List<VectorRecord> records) {
        if (records == null) {
            throw new IllegalArgumentException("records must not be null");
        }
        for (int i = 0; i < records.size(); i++) {
            VectorRecord r = records.get(i);
            String row = "row " + i;
            if (r == null) {
                throw new IllegalArgumentException(row + ": record is null");
            }
            if (blank(r.frameId())) {
                throw new IllegalArgumentException(row + ": frameId is required");
            }
            row = row + " (" + r.key() + ")";
            if (blank(r.modelVersion())) {
                throw new IllegalArgumentException(row + ": modelVersion is required");
            }
            checkVector(row + ": vector", r.vector());
        }
    }

    /** A usable cosine query or row: non-empty, at most {@link #MAX_DIMENSION}, finite, not all zero. */
    public static void checkVector(String what, float[] v) {
        if (v == null || v.length == 0) {
            throw new IllegalArgumentException(what + " is empty");
        }
        if (v.length > MAX_DIMENSION) {
            throw new IllegalArgumentException(what + " has " + v.length + " dimensions, more than " + MAX_DIMENSION);
        }
        double norm = 0;
        for (int j = 0; j < v.length; j++) {
            if (!Float.isFinite(v[j])) {
                throw new IllegalArgumentException(what + "[" + j + "] is not a finite number");
            }
            norm += (double) v[j] * v[j];
        }
        if (norm == 0) {
            throw new IllegalArgumentException(what + " is all zeros (cosine similarity is undefined)");
        }
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
