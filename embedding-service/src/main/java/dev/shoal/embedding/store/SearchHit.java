package dev.shoal.embedding.store;

/** One search result; {@code score} is the cosine similarity in [-1, 1], higher is nearer. */
public record SearchHit(VectorRecord record, float score) {
}
