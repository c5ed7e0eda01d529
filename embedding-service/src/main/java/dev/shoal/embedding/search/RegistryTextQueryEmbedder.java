package dev.shoal.embedding.search;

import dev.shoal.embedding.domain.EmbeddingException;
import dev.shoal.embedding.domain.FrameContent;
import dev.shoal.embedding.service.EmbedderRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Text queries go through the same loaded text model and micro-batcher as text frames. */
@ApplicationScoped
public class RegistryTextQueryEmbedder implements TextQueryEmbedder {

    @Inject
    EmbedderRegistry registry;

    @Override
    public Embedded embed(String text) {
        EmbedderRegistry.Loaded model;
        try {
            model = registry.textModel();
        } catch (EmbeddingException e) {
            throw new SearchException(SearchException.Reason.UNAVAILABLE, "text", "text model not loaded: " + e.getMessage());
        }
        try {
            float[] v = registry.embed(model, new FrameContent.Text(text)).get(30, TimeUnit.SECONDS);
            return new Embedded(v, model.embedder().model().storeVersion());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SearchException(SearchException.Reason.UNAVAILABLE, "text", "interrupted while embedding the text");
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new SearchException(SearchException.Reason.UNAVAILABLE, "text",
                    "the text model failed on the query: " + cause.getMessage());
        }
    }
}
