package io.tpwallet.ledger;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import io.zonky.test.db.postgres.util.LinuxUtils;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A PostgreSQL server of a test's own, which the test may crash and restart: the shared test server
 * cannot be stopped under the other test classes. The zonky binaries do initdb and the first start;
 * later stops and starts go through their {@code pg_ctl} on the same data directory and port, so
 * that the restarted server holds exactly what the crashed one had made durable. {@code
 * synchronous_commit} is on (zonky turns it off): an acknowledged commit must survive the crash.
 */
final class ScratchPostgres implements AutoCloseable {

  private final Path dataDirectory;
  private final int port;
  private final Map<String, String> config = new LinkedHashMap<>();
  private final Path pgCtl;
  private final EmbeddedPostgres first;

  private ScratchPostgres(Path dataDirectory, int port) throws IOException {
    this.dataDirectory = dataDirectory;
    this.port = port;
    config.put("synchronous_commit", "on");
    config.put("max_connections", "100");
    config.put("timezone", "UTC");
    var builder =
        EmbeddedPostgres.builder()
            .setDataDirectory(dataDirectory)
            .setCleanDataDirectory(false)
            .setRegisterShutdownHook(false)
            .setPort(port);
    config.forEach(builder::setServerConfig);
    first = builder.start();
    // postmaster.opts starts with the server binary's path; pg_ctl sits next to it.
    String opts =
        Files.readString(dataDirectory.resolve("postmaster.opts"), StandardCharsets.UTF_8).trim();
    String binary = opts.startsWith("\"") ? opts.substring(1, opts.indexOf('"', 1)) : opts;
    binary = binary.split(" ")[0];
    pgCtl = Path.of(binary).resolveSibling("pg_ctl");
  }

  /** Initialises and starts a server in a new directory under {@code target/}. */
  static ScratchPostgres start(String name) throws IOException {
    Path dir = Path.of("target", name + "-" + Long.toHexString(System.nanoTime())).toAbsolutePath();
    Files.createDirectories(dir.getParent());
    return new ScratchPostgres(dir, freePort());
  }

  String jdbcUrl(String database) {
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
  }

  Connection connect(String database) throws SQLException {
    return DriverManager.getConnection(jdbcUrl(database), "postgres", "");
  }

  /**
   * Stops the server the way a crash does ({@code pg_ctl stop -m immediate}: every backend quits at
   * once, nothing is checkpointed, the next start runs WAL recovery).
   */
  void crash() {
    pgCtl("-D", dataDirectory.toString(), "-m", "immediate", "-w", "stop");
  }

  /** Starts the server again on its data directory and port, waiting until it accepts. */
  void startAgain() {
    List<String> options = new ArrayList<>(List.of("-p", Integer.toString(port)));
    config.forEach((k, v) -> options.addAll(List.of("-c", k + "=" + v)));
    pgCtl(
        "-D",
        dataDirectory.toString(),
        "-l",
        dataDirectory.resolveSibling(dataDirectory.getFileName() + ".log").toString(),
        "-o",
        String.join(" ", options),
        "-w",
        "-t",
        "60",
        "start");
  }

  @Override
  public void close() throws IOException {
    // zonky's close runs pg_ctl stop on the data directory, so it also stops a restarted server.
    first.close();
    try (Stream<Path> files = Files.walk(dataDirectory)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  private void pgCtl(String... args) {
    List<String> command = new ArrayList<>();
    if (LinuxUtils.isUnshareAvailable()) {
      // As root, PostgreSQL refuses to run; zonky runs it in a user namespace, and so do we.
      command.addAll(List.of("unshare", "-U"));
    }
    command.add(pgCtl.toString());
    command.addAll(List.of(args));
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(90, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("pg_ctl did not finish: " + command);
      }
      if (p.exitValue() != 0) {
        throw new IllegalStateException("pg_ctl failed (" + p.exitValue() + "): " + out);
      }
    } catch (IOException e) {
      throw new IllegalStateException("could not run " + command, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static int freePort() throws IOException {
    try (var socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
