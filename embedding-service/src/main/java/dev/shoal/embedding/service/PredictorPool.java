package dev.shoal.embedding.service;

import ai.djl.Model;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.translate.NoopTranslator;
import ai.djl.translate.TranslateException;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Runs a model on whole micro-batches ({@link BatchTranslator}), with one DJL predictor per concurrent caller: a
 * {@link Predictor} is not thread-safe, but any number of them may share one loaded model (ONNX Runtime and PyTorch
 * sessions run concurrent inferences). A caller borrows a free predictor, or a new one when all are busy, so the pool
 * grows to the callers' concurrency (the model's batcher threads) and no further.
 *
 * <p>The predictors translate nothing ({@link NoopTranslator}): the batch is encoded here into one input, on a
 * manager of its own that is closed with the batch's tensors once its vectors are read.
 */
final class PredictorPool<I> implements AutoCloseable {

    private final Model model;
    private final BatchTranslator<I> translator;
    private final ConcurrentLinkedQueue<Predictor<NDList, NDList>> free = new ConcurrentLinkedQueue<>();
    private final List<Predictor<NDList, NDList>> all = new ArrayList<>();
    private boolean closed;

    PredictorPool(Model model, BatchTranslator<I> translator) {
        this.model = model;
        this.translator = translator;
    }

    /** One model run over all of {@code inputs}; one vector per input, in order (none for none, without a run). */
    List<float[]> batchPredict(List<I> inputs) throws TranslateException {
        if (inputs.isEmpty()) {
            return List.of();
        }
        Predictor<NDList, NDList> p = borrow();
        try (NDManager manager = model.getNDManager().newSubManager()) {
            BatchTranslator.Encoded batch = translator.encode(manager, inputs);
            List<float[]> vectors = batch.decoder().decode(p.predict(batch.input()));
            if (vectors.size() != inputs.size()) {
                throw new TranslateException("a batch of " + inputs.size() + " inputs gave " + vectors.size() + " vectors");
            }
            return vectors;
        } catch (TranslateException e) {
            throw e;
        } catch (Exception e) {
            throw new TranslateException(e);
        } finally {
            free.add(p);
        }
    }

    float[] predict(I input) throws TranslateException {
        return batchPredict(List.of(input)).get(0);
    }

    /** Predictors created so far (the highest concurrency seen). */
    synchronized int size() {
        return all.size();
    }

    private Predictor<NDList, NDList> borrow() {
        Predictor<NDList, NDList> p = free.poll();
        if (p != null) {
            return p;
        }
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("the model is closed");
            }
            p = model.newPredictor(new NoopTranslator());
            all.add(p);
            return p;
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        all.forEach(Predictor::close);
        all.clear();
        free.clear();
    }
}
