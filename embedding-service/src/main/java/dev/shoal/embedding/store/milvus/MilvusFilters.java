package dev.shoal.embedding.store.milvus;

import dev.shoal.embedding.store.VectorFilter;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Turns a {@link VectorFilter} into a Milvus boolean expression over the scalar fields of
 * {@link MilvusVectorStore}'s schema. Values are written as escaped string literals, never spliced in raw.
 */
final class MilvusFilters {

    /** Matches every row (Milvus wants an expression for an unbounded query). */
    static final String ALL = MilvusVectorStore.PK + " != \"\"";

    private MilvusFilters() {
    }

    static String expression(VectorFilter f) {
        List<String> parts = new ArrayList<>();
        eq(parts, MilvusVectorStore.DATASET_ID, f.datasetId());
        eq(parts, MilvusVectorStore.MODEL_VERSION, f.modelVersion());
        eq(parts, MilvusVectorStore.SPLIT, f.split());
        if (f.labeled() != null) {
            parts.add(MilvusVectorStore.LABELED + " == " + f.labeled());
        }
        eq(parts, MilvusVectorStore.LABEL, f.label());
        eq(parts, MilvusVectorStore.PREDICTION, f.prediction());
        if (!f.excludeFrameIds().isEmpty()) {
            parts.add(MilvusVectorStore.FRAME_ID + " not in ["
                    + f.excludeFrameIds().stream().sorted().map(MilvusFilters::literal).collect(Collectors.joining(", ")) + "]");
        }
        return parts.isEmpty() ? "" : String.join(" and ", parts);
    }

    /** {@link #expression} or, when that is empty, {@link #ALL}. */
    static String expressionOrAll(VectorFilter f) {
        String e = expression(f);
        return e.isEmpty() ? ALL : e;
    }

    private static void eq(List<String> parts, String field, String value) {
        if (value != null) {
            parts.add(field + " == " + literal(value));
        }
    }

    /** A double-quoted Milvus string literal: backslash and double quote escaped, control characters as \\uXXXX. */
    static String literal(String value) {
        StringBuilder b = new StringBuilder(value.length() + 2).append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\\' -> b.append("\\\\");
                case '"' -> b.append("\\\"");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
