package dev.shoal.testkit;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.util.HashMap;
import java.util.Map;

/**
 * Points a {@code @QuarkusTest} at the real Kafka broker and the real PostgreSQL of {@link SharedInfra}.
 * Init args: {@code database} (default {@code shoal}) names the service's own database; {@code postgres=false}
 * skips the database for services that have none.
 */
public class ShoalInfraTestResource implements QuarkusTestResourceLifecycleManager {

    private String database = "shoal";
    private boolean withPostgres = true;

    @Override
    public void init(Map<String, String> initArgs) {
        database = initArgs.getOrDefault("database", database);
        withPostgres = !"false".equals(initArgs.get("postgres"));
    }

    @Override
    public Map<String, String> start() {
        Map<String, String> config = new HashMap<>();
        config.put("kafka.bootstrap.servers", SharedInfra.kafka().bootstrapServers());
        config.put("quarkus.devservices.enabled", "false");
        if (withPostgres) {
            EmbeddedPostgres pg = SharedInfra.postgres();
            config.put("quarkus.datasource.jdbc.url", pg.createDatabase(database));
            config.put("quarkus.datasource.username", EmbeddedPostgres.USER);
            config.put("quarkus.datasource.password", EmbeddedPostgres.PASSWORD);
        }
        return config;
    }

    @Override
    public void stop() {
        // shared for the whole JVM; stopped by SharedInfra's shutdown hook
    }
}
