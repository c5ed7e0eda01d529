package dev.shoal.embedding.service;

import ai.djl.ndarray.NDList;
import ai.djl.translate.NoBatchifyTranslator;
import ai.djl.translate.TranslatorContext;

import java.util.List;

/**
 * A DJL translator from inputs to embedding vectors that works on whole micro-batches: implementations build one
 * input tensor for the batch ({@link #batchProcessInput}) and split the output into one vector per input
 * ({@link #batchProcessOutput}). There is no {@code Batchifier} (DJL then hands whole batches to these two methods);
 * a single prediction is a batch of one.
 */
interface BatchTranslator<I> extends NoBatchifyTranslator<I, float[]> {

    @Override
    NDList batchProcessInput(TranslatorContext ctx, List<I> inputs) throws Exception;

    @Override
    List<float[]> batchProcessOutput(TranslatorContext ctx, NDList list) throws Exception;

    @Override
    default NDList processInput(TranslatorContext ctx, I input) throws Exception {
        return batchProcessInput(ctx, List.of(input));
    }

    @Override
    default float[] processOutput(TranslatorContext ctx, NDList list) throws Exception {
        return batchProcessOutput(ctx, list).get(0);
    }
}
