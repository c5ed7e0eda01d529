package dev.shoal.embedding.train;

import dev.shoal.embedding.domain.EmbeddingException;
import dev.shoal.embedding.domain.FrameContent;
import dev.shoal.embedding.domain.ModelRef;
import dev.shoal.embedding.service.Embedder;
import dev.shoal.embedding.service.ImageEmbedder;

import java.util.ArrayList;
import java.util.List;

/**
 * A network the training job produced, served like any other image model (same preprocessing as in training), for
 * the dataset it was trained on.
 */
public final class TrainedEmbedder implements Embedder {

    private final ModelRef model;
    private final String datasetId;
    private final CnnEmbeddingTrainer.Trained trained;
    private final ImageEmbedder.Settings settings;

    public TrainedEmbedder(ModelRef model, String datasetId, CnnEmbeddingTrainer.Trained trained,
                           ImageEmbedder.Settings settings) {
        this.model = model;
        this.datasetId = datasetId;
        this.trained = trained;
        this.settings = settings;
    }

    @Override
    public ModelRef model() {
        return model;
    }

    /** The dataset it was trained on (null when unknown). */
    public String datasetId() {
        return datasetId;
    }

    public ImageEmbedder.Settings settings() {
        return settings;
    }

    CnnEmbeddingTrainer.Trained trained() {
        return trained;
    }

    @Override
    public int dimension() {
        return trained.dimension();
    }

    @Override
    public boolean accepts(FrameContent content) {
        return content instanceof FrameContent.Image;
    }

    @Override
    public synchronized List<float[]> embed(List<FrameContent> batch) {
        List<float[]> pixels = new ArrayList<>(batch.size());
        for (FrameContent c : batch) {
            if (!(c instanceof FrameContent.Image i)) {
                throw new EmbeddingException(null, model + " embeds images");
            }
            pixels.add(ImageEmbedder.pixels(i.image(), settings));
        }
        return List.of(trained.embed(pixels, Math.max(1, pixels.size())));
    }

    @Override
    public String engine() {
        return "pytorch";
    }

    @Override
    public String device() {
        return "cpu()";
    }

    @Override
    public synchronized void close() {
        trained.close();
    }
}
