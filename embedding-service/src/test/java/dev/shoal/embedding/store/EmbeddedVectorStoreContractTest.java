package dev.shoal.embedding.store;

import dev.shoal.embedding.store.embedded.LuceneVectorStore;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/** The contract against the embedded Lucene HNSW store, always. */
class EmbeddedVectorStoreContractTest extends VectorStoreContract {

    @TempDir
    static Path dir;

    @Override
    protected VectorStore openStore() {
        return new LuceneVectorStore(dir.resolve("vectors"));
    }
}
