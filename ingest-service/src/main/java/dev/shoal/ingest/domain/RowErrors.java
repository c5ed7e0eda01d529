package dev.shoal.ingest.domain;

import dev.shoal.proto.common.v1.RowError;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/** Collects the errors of one batch: which row, which field, why. A row with any error is not stored. */
public final class RowErrors {

    private final String collection;
    private final List<RowError> errors = new ArrayList<>();
    private final BitSet badRows = new BitSet();

    public RowErrors(String collection) {
        this.collection = collection;
    }

    public void add(int index, String id, String field, String message) {
        errors.add(RowError.newBuilder()
                .setIndex(index)
                .setId(id == null ? "" : id)
                .setField(collection + "[" + index + "]" + (field.isEmpty() ? "" : "." + field))
                .setMessage(message)
                .build());
        badRows.set(index);
    }

    public boolean isBad(int index) {
        return badRows.get(index);
    }

    public List<RowError> list() {
        return errors;
    }

    public boolean isEmpty() {
        return errors.isEmpty();
    }
}
