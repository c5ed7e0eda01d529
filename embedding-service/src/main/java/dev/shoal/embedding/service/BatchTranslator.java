package dev.shoal.embedding.service;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;

import java.util.List;

/**
 * Turns a micro-batch of inputs into one input tensor list for the model, and the model's output back into one
 * embedding vector per input. {@link PredictorPool} runs the model once per batch with it.
 *
 * <p>Not a DJL {@code Translator}: DJL's {@code Predictor.batchPredict} runs a translator that has no
 * {@code Batchifier} (a {@code NoBatchifyTranslator}) once per input, so a batch of 32 texts would be 32 model runs
 * of one text each (seen by counting the tokens the model was given). Here the batch is encoded by hand (texts padded
 * to the batch's longest, images stacked) and the model sees all of it in one run.
 */
interface BatchTranslator<I> {

    /** Encodes {@code inputs} as one batch; tensors are created on {@code manager}, which is closed after the batch. */
    Encoded encode(NDManager manager, List<I> inputs) throws Exception;

    /** One encoded batch: the model's input, and how to read its output. */
    record Encoded(NDList input, Decoder decoder) {
    }

    /** Reads the model's output for one encoded batch: one vector per input, in order. */
    @FunctionalInterface
    interface Decoder {
        List<float[]> decode(NDList output) throws Exception;
    }
}
