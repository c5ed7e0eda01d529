package dev.shoal.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * One real Kafka broker and one real PostgreSQL per test JVM, started on first use and stopped when the
 * JVM exits. Test classes of a module share them; each service uses its own database.
 */
public final class SharedInfra {

    private static EmbeddedKafka kafka;
    private static EmbeddedPostgres postgres;

    private SharedInfra() {
    }

    public static synchronized EmbeddedKafka kafka() {
        if (kafka == null) {
            try {
                long t0 = System.nanoTime();
                kafka = EmbeddedKafka.startEphemeral();
                System.out.printf("[testkit] Kafka KRaft broker on %s (%d ms)%n", kafka.bootstrapServers(), (System.nanoTime() - t0) / 1_000_000);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                synchronized (SharedInfra.class) {
                    if (kafka != null) {
                        kafka.close();
                    }
                }
            }, "shoal-kafka-stop"));
        }
        return kafka;
    }

    public static synchronized EmbeddedPostgres postgres() {
        if (postgres == null) {
            try {
                long t0 = System.nanoTime();
                postgres = EmbeddedPostgres.startEphemeral();
                System.out.printf("[testkit] PostgreSQL on port %d (%d ms)%n", postgres.port(), (System.nanoTime() - t0) / 1_000_000);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                synchronized (SharedInfra.class) {
                    try {
                        if (postgres != null) {
                            postgres.close();
                        }
                    } catch (IOException ignored) {
                        // process exit
                    }
                }
            }, "shoal-postgres-stop"));
        }
        return postgres;
    }
}
