package io.tpwallet.e2e;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** One service jar run as its own JVM process, as in production: started, killed, restarted. */
final class ServiceProcess {

  private static final Path ROOT = Path.of(System.getProperty("tpw.root", ".."));
  private static final String VERSION = System.getProperty("tpw.version", "0.1.0-SNAPSHOT");
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  final String name;
  final int port;
  private final Map<String, String> env;
  private final Path log;
  private Process process;

  ServiceProcess(String name, Map<String, String> env) {
    this.name = name;
    this.port = freePort();
    this.env = new HashMap<>(env);
    this.env.put("SERVER_PORT", Integer.toString(port));
    this.log = ROOT.resolve("platform-e2e/target/e2e-logs/" + name + ".log");
  }

  /** One more environment variable for the next start (e.g. one naming this process's own URL). */
  ServiceProcess with(String name, String value) {
    env.put(name, value);
    return this;
  }

  String url() {
    return "http://127.0.0.1:" + port;
  }

  ServiceProcess start() {
    Path jar = ROOT.resolve(name + "/target/" + name + "-" + VERSION + ".jar");
    if (!Files.exists(jar)) {
      throw new IllegalStateException("missing " + jar + ": build the services first");
    }
    try {
      Files.createDirectories(log.getParent());
      List<String> command = new ArrayList<>();
      command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      command.addAll(
          List.of(
              "-Xmx256m",
              "-XX:+UseSerialGC",
              "-XX:TieredStopAtLevel=1",
              "-Xss512k",
              "-jar",
              jar.toString()));
      var builder = new ProcessBuilder(command).redirectErrorStream(true);
      builder.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
      builder.environment().putAll(env);
      process = builder.start();
      return this;
    } catch (IOException e) {
      throw new IllegalStateException("could not start " + name, e);
    }
  }

  /** Waits until the readiness probe answers 200 (database and Kafka reachable). */
  ServiceProcess awaitReady(Duration timeout) {
    Instant until = Instant.now().plus(timeout);
    while (Instant.now().isBefore(until)) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            name + " exited with " + process.exitValue() + "; see " + log);
      }
      try {
        var response =
            HTTP.send(
                HttpRequest.newBuilder(URI.create(url() + "/actuator/health/readiness"))
                    .timeout(Duration.ofSeconds(2))
                    .build(),
                HttpResponse.BodyHandlers.discarding());
        if (response.statusCode() == 200) {
          return this;
        }
      } catch (IOException e) {
        // not listening yet
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
      sleep(250);
    }
    throw new IllegalStateException(name + " not ready within " + timeout + "; see " + log);
  }

  /** SIGKILL: no shutdown hook, no graceful drain, as when a node dies. */
  void kill() {
    process.destroyForcibly();
    waitFor();
  }

  /** SIGTERM: graceful shutdown. */
  void stop() {
    if (process != null && process.isAlive()) {
      process.destroy();
      waitFor();
    }
  }

  private void waitFor() {
    try {
      process.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static int freePort() {
    try (var socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
