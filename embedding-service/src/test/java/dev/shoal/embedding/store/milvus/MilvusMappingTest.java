package dev.shoal.embedding.store.milvus;

import com.google.gson.JsonObject;
import dev.shoal.embedding.store.VectorFilter;
import dev.shoal.embedding.store.VectorRecord;
import io.milvus.v2.service.collection.request.CreateCollectionReq;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The parts of the Milvus adapter that need no server: filter expressions, schema, row mapping. */
class MilvusMappingTest {

    @Test
    void anEmptyFilterIsAnEmptyExpressionAndMatchAllForQueries() {
        assertEquals("", MilvusFilters.expression(VectorFilter.none()));
        assertEquals("pk != \"\"", MilvusFilters.expressionOrAll(VectorFilter.none()));
    }

    @Test
    void everyFilterFieldBecomesAClause() {
        VectorFilter f = VectorFilter.of("ds1", "minilm@1").split("train").labeled(false).label("cat")
                .prediction("dog").excluding(Set.of("b", "a"));
        assertEquals("dataset_id == \"ds1\" and model_version == \"minilm@1\" and split == \"train\" and labeled == false"
                        + " and label == \"cat\" and prediction == \"dog\" and frame_id not in [\"a\", \"b\"]",
                MilvusFilters.expression(f));
    }

    @Test
    void valuesAreEscapedNotSplicedIn() {
        String hostile = "x\" or pk != \"";
        String expr = MilvusFilters.expression(VectorFilter.none().dataset(hostile));
        assertEquals("dataset_id == \"x\\\" or pk != \\\"\"", expr);
        assertEquals("\"a\\\\b\\nc\\u0001\"", MilvusFilters.literal("a\\b\nc\u0001"));
    }

    @Test
    void theSchemaHasTheKeyTheScalarFieldsAndTheVector() {
        CreateCollectionReq.CollectionSchema schema = MilvusVectorStore.schema(384);
        List<String> names = new ArrayList<>();
        schema.getFieldSchemaList().forEach(f -> names.add(f.getName()));
        assertEquals(List.of("pk", "frame_id", "model_version", "dataset_id", "split", "label", "prediction", "labeled",
                "labeler_id", "content_hash", "vector"), names);
        assertTrue(schema.getField("pk").getIsPrimaryKey());
        assertFalse(schema.getField("pk").getAutoID());
        assertEquals(384, schema.getField("vector").getDimension());
    }

    @Test
    void aRowRoundTripsThroughTheMilvusEntityShape() {
        VectorRecord r = new VectorRecord("f1", "m@1", "ds", null, "cat", null, true, "ann", new float[]{0.5f, -1f});
        JsonObject row = MilvusVectorStore.toRow(r);
        assertEquals("f1:m@1", row.get("pk").getAsString());
        assertEquals("", row.get("split").getAsString());
        Map<String, Object> entity = new HashMap<>();
        row.entrySet().forEach(e -> {
            if (e.getValue().isJsonArray()) {
                List<Float> v = new ArrayList<>();
                e.getValue().getAsJsonArray().forEach(x -> v.add(x.getAsFloat()));
                entity.put(e.getKey(), v);
            } else if (e.getKey().equals("labeled")) {
                entity.put(e.getKey(), e.getValue().getAsBoolean());
            } else {
                entity.put(e.getKey(), e.getValue().getAsString());
            }
        });
        VectorRecord back = MilvusVectorStore.fromEntity(entity);
        assertEquals(r.key(), back.key());
        assertNull(back.split());
        assertNull(back.prediction());
        assertEquals("cat", back.label());
        assertTrue(back.labeled());
        assertArrayEquals(r.vector(), back.vector());
    }

    @Test
    void aCollectionNameThatMilvusWouldRefuseIsRefusedUpFront() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new MilvusVectorStore(null, MilvusVectorStore.Options.defaults("bad-name")));
        assertTrue(e.getMessage().contains("bad-name"));
    }
}
