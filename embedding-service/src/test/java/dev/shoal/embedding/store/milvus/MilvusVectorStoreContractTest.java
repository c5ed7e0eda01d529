package dev.shoal.embedding.store.milvus;

import dev.shoal.embedding.store.VectorStore;
import dev.shoal.embedding.store.VectorStoreContract;
import io.milvus.v2.client.ConnectConfig;
import io.milvus.v2.client.MilvusClientV2;
import io.milvus.v2.service.collection.request.DropCollectionReq;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

import java.util.UUID;

/**
 * The contract against a real Milvus, when {@code MILVUS_URI} names one (e.g. {@code http://127.0.0.1:19530};
 * {@code MILVUS_TOKEN} optional). Skipped otherwise, saying so: no Milvus server runs on the build machines.
 * The collections it creates ({@code shoal_contract_<random>_d<dim>}) are dropped afterwards.
 */
@EnabledIfEnvironmentVariable(named = "MILVUS_URI", matches = ".+",
        disabledReason = "MILVUS_URI is not set: the Milvus contract suite is skipped (set MILVUS_URI=http://host:19530 to run it)")
class MilvusVectorStoreContractTest extends VectorStoreContract {

    private static final String URI = System.getenv("MILVUS_URI");
    private static final String TOKEN = System.getenv("MILVUS_TOKEN");
    private final String prefix = "shoal_contract_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);

    @Override
    protected VectorStore openStore() {
        Assumptions.assumeTrue(URI != null && !URI.isBlank(),
                "MILVUS_URI is not set: the Milvus contract suite is skipped (set MILVUS_URI=http://host:19530 to run it)");
        return MilvusVectorStore.connect(URI, TOKEN, MilvusVectorStore.Options.defaults(prefix), 4);
    }

    @AfterAll
    void dropTestCollections() {
        if (URI == null || URI.isBlank()) {
            return;
        }
        ConnectConfig.ConnectConfigBuilder config = ConnectConfig.builder().uri(URI);
        if (TOKEN != null) {
            config.token(TOKEN);
        }
        MilvusClientV2 client = new MilvusClientV2(config.build());
        try {
            for (String name : client.listCollections().getCollectionNames()) {
                if (name.startsWith(prefix + "_d")) {
                    client.dropCollection(DropCollectionReq.builder().collectionName(name).build());
                }
            }
        } finally {
            client.close();
        }
    }
}
