package dev.shoal.embedding.store;

import dev.shoal.embedding.store.embedded.LuceneVectorStore;
import dev.shoal.embedding.store.milvus.MilvusVectorStore;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import org.jboss.logging.Logger;

import java.nio.file.Path;

/** The one {@link VectorStore} of the service, chosen by {@code shoal.vector-store.kind}; closed on shutdown. */
@ApplicationScoped
public class VectorStoreProducer {

    private static final Logger LOG = Logger.getLogger(VectorStoreProducer.class);

    @Produces
    @ApplicationScoped
    VectorStore vectorStore(VectorStoreConfig config) {
        return switch (config.kind()) {
            case EMBEDDED -> {
                Path path = Path.of(config.path()).toAbsolutePath();
                LuceneVectorStore.Options options = LuceneVectorStore.Options.defaults()
                        .withGraph(config.hnsw().m(), config.hnsw().beamWidth())
                        .withEfSearch(config.hnsw().efSearch())
                        .withCommitInterval(config.commitInterval());
                LOG.infof("vector store: embedded Lucene HNSW at %s (M=%d, beam=%d, ef=%d)", path,
                        options.maxConn(), options.beamWidth(), options.efSearch());
                yield new LuceneVectorStore(path, options);
            }
            case MILVUS -> {
                String uri = config.milvus().uri().filter(u -> !u.isBlank()).orElseThrow(() -> new IllegalStateException(
                        "shoal.vector-store.kind=milvus needs shoal.vector-store.milvus.uri (MILVUS_URI)"));
                MilvusVectorStore.Options defaults = MilvusVectorStore.Options.defaults(config.milvus().collection());
                MilvusVectorStore.Options options = new MilvusVectorStore.Options(defaults.collection(),
                        config.hnsw().m(), Math.max(config.hnsw().beamWidth(), defaults.efConstruction()),
                        config.hnsw().efSearch(), defaults.consistency(), defaults.exportBatch());
                LOG.infof("vector store: Milvus at %s, collections %s_d<dim>", uri, options.collection());
                yield MilvusVectorStore.connect(uri, config.milvus().token().orElse(null), options,
                        config.milvus().maxClients());
            }
        };
    }

    void close(@Disposes VectorStore store) {
        LOG.infof("closing the %s vector store", store.kind());
        store.close();
    }

    /**
     * Opens the store at start, so a bad path or a locked index fails the start, not the first event. (The Milvus
     * pool connects on first use; an unreachable Milvus shows in the readiness check.)
     */
    void open(@Observes StartupEvent event, VectorStore store) {
        LOG.infof("vector store ready: %s", store.kind());
    }
}
