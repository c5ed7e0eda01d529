package dev.shoal.embedding.store;

import java.util.Objects;

/** A k-NN query: the {@code k} rows passing {@code filter} whose vectors are most cosine-similar to {@code vector}. */
public record SearchQuery(float[] vector, int k, VectorFilter filter) {

    public SearchQuery {
        Objects.requireNonNull(vector, "vector");
        if (k <= 0) {
            throw new IllegalArgumentException("k must be positive, was " + k);
        }
        filter = filter == null ? VectorFilter.none() : filter;
    }
}
