package dev.shoal.embedding.service;

import ai.djl.inference.Predictor;
import ai.djl.translate.TranslateException;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Supplier;

/**
 * DJL predictors of one model, one per concurrent caller: a {@link Predictor} is not thread-safe, but any number of
 * them may share one loaded model (ONNX Runtime and PyTorch sessions run concurrent inferences). A caller borrows a
 * free predictor, or a new one when all are busy, so the pool grows to the callers' concurrency (the model's batcher
 * threads) and no further.
 */
final class PredictorPool<I, O> implements AutoCloseable {

    private final Supplier<Predictor<I, O>> factory;
    private final ConcurrentLinkedQueue<Predictor<I, O>> free = new ConcurrentLinkedQueue<>();
    private final List<Predictor<I, O>> all = new ArrayList<>();
    private boolean closed;

    PredictorPool(Supplier<Predictor<I, O>> factory) {
        this.factory = factory;
    }

    List<O> batchPredict(List<I> inputs) throws TranslateException {
        Predictor<I, O> p = borrow();
        try {
            return p.batchPredict(inputs);
        } finally {
            free.add(p);
        }
    }

    O predict(I input) throws TranslateException {
        Predictor<I, O> p = borrow();
        try {
            return p.predict(input);
        } finally {
            free.add(p);
        }
    }

    /** Predictors created so far (the highest concurrency seen). */
    synchronized int size() {
        return all.size();
    }

    private Predictor<I, O> borrow() {
        Predictor<I, O> p = free.poll();
        if (p != null) {
            return p;
        }
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("the model is closed");
            }
            p = factory.get();
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
