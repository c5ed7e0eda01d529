package dev.shoal.embedding.service;

import dev.shoal.embedding.domain.ModelRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TextEmbedderTest {

    static TextEmbedder embedder;

    @BeforeAll
    static void load() {
        embedder = new TextEmbedder(new ModelRef("all-minilm-l6-v2", "1"),
                EngineSupport.choose("shoal.embedding.text.engine", "onnxruntime", "cpu"), 256);
    }

    @AfterAll
    static void close() {
        embedder.close();
    }

    @Test
    void guitar_is_much_closer_to_music_than_to_finance() {
        List<float[]> v = embedder.embedTexts(List.of("guitar", "music", "finance"));
        double music = Vectors.cosine(v.get(0), v.get(1));
        double finance = Vectors.cosine(v.get(0), v.get(2));
        System.out.printf("cosine(guitar, music)=%.3f cosine(guitar, finance)=%.3f%n", music, finance);
        assertTrue(music > finance + 0.25, "music " + music + " vs finance " + finance);
    }

    @Test
    void vectors_are_384_dimensional_unit_length_and_independent_of_batch_padding() {
        List<float[]> batch = embedder.embedTexts(List.of("a short one",
                "a much longer sentence that forces the shorter one in the same batch to be padded"));
        float[] alone = embedder.embedTexts(List.of("a short one")).get(0);
        assertEquals(384, batch.get(0).length);
        double norm = 0;
        for (float x : batch.get(0)) {
            norm += x * x;
        }
        assertEquals(1.0, norm, 1e-4);
        assertEquals(1.0, Vectors.cosine(alone, batch.get(0)), 1e-4, "padding must not change the embedding");
    }
}
