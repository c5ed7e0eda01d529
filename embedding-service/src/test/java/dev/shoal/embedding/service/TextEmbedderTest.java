package dev.shoal.embedding.service;

import dev.shoal.embedding.domain.ModelRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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

    @Test
    void token_counts_are_the_texts_tokens_and_the_batch_padded_to_its_longest_text() {
        String shortText = "a short one";
        String longText = "a much longer sentence that forces the shorter one in the same batch to be padded";
        TextEmbedder.TokenCounts t0 = embedder.tokenCounts();
        embedder.embedTexts(List.of(shortText));
        TextEmbedder.TokenCounts alone = embedder.tokenCounts().minus(t0);
        // [CLS] a short one [SEP]
        assertEquals(new TextEmbedder.TokenCounts(1, 5, 5), alone);

        TextEmbedder.TokenCounts t1 = embedder.tokenCounts();
        embedder.embedTexts(List.of(longText));
        long longTokens = embedder.tokenCounts().minus(t1).tokens();
        assertTrue(longTokens > 5, "the long text has more tokens than the short one: " + longTokens);

        TextEmbedder.TokenCounts t2 = embedder.tokenCounts();
        embedder.embedTexts(List.of(shortText, longText));
        assertEquals(new TextEmbedder.TokenCounts(2, 5 + longTokens, 2 * longTokens), embedder.tokenCounts().minus(t2));
    }

    @Test
    void an_empty_batch_gives_no_vectors_and_runs_nothing() {
        TextEmbedder.TokenCounts before = embedder.tokenCounts();
        assertEquals(List.of(), embedder.embedTexts(List.of()));
        assertEquals(before, embedder.tokenCounts());
    }

    @Test
    void concurrent_batches_on_one_model_give_the_same_vectors_as_one_at_a_time() throws Exception {
        List<String> a = List.of("a red traffic cone on wet asphalt", "a violin concerto", "quarterly earnings fell");
        List<String> b = List.of("a cat asleep on a keyboard", "snow on a mountain road");
        List<float[]> aAlone = embedder.embedTexts(a);
        List<float[]> bAlone = embedder.embedTexts(b);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 5; round++) {
                Future<List<float[]>> fa = pool.submit(() -> embedder.embedTexts(a));
                Future<List<float[]>> fb = pool.submit(() -> embedder.embedTexts(b));
                assertSameVectors(aAlone, fa.get(60, TimeUnit.SECONDS));
                assertSameVectors(bAlone, fb.get(60, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void one_intra_op_thread_without_spinning_gives_the_same_vectors_as_the_defaults() {
        EngineSupport.Choice lean = EngineSupport.choose("shoal.embedding.text.engine", "onnxruntime", "cpu")
                .withOrtThreads(new EngineSupport.OrtThreads(1, 1, false));
        List<String> texts = List.of("a red traffic cone on wet asphalt", "a violin concerto");
        try (TextEmbedder single = new TextEmbedder(new ModelRef("all-minilm-l6-v2", "1"), lean, 256)) {
            assertSameVectors(embedder.embedTexts(texts), single.embedTexts(texts));
        }
    }

    private static void assertSameVectors(List<float[]> expected, List<float[]> actual) {
        assertEquals(expected.size(), actual.size());
        for (int i = 0; i < expected.size(); i++) {
            assertArrayEquals(expected.get(i), actual.get(i), 1e-5f, "vector " + i);
        }
    }
}
