package dev.shoal.embedding.search;

import dev.shoal.embedding.store.SearchHit;

import java.util.List;

/** Neighbours, most similar first, and the model version and dimension that were searched. */
public record SearchResult(List<SearchHit> hits, String modelVersion, int dimension) {
}
