package dev.shoal.embedding.service;

import dev.shoal.embedding.domain.FrameContent;
import dev.shoal.embedding.domain.ModelRef;

import java.util.List;

/** One loaded model: turns a batch of decoded frames into one vector each. Loaded once, closed on shutdown. */
public interface Embedder extends AutoCloseable {

    ModelRef model();

    int dimension();

    /** True when this model embeds this kind of content. */
    boolean accepts(FrameContent content);

    /** One vector per input, in order (one {@code batchPredict} call). */
    List<float[]> embed(List<FrameContent> batch);

    /** Where it runs, for health checks: engine and device as DJL sees them. */
    String engine();

    String device();

    @Override
    void close();
}
