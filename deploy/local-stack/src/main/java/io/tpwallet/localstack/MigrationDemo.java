package io.tpwallet.localstack;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The migration part of ./tpw demo: a generated legacy wallet (with injected anomalies) on the
 * stack's PostgreSQL, and the same on the machine's MariaDB when one answers, each migrated by
 * migration-service into the stack's ledger while live legacy traffic runs, then cut over (legacy
 * frozen by a trigger, lag drained, reconciled against the ledger's balances) and rolled back, so
 * that the legacy wallet is writable again and the job stops. Both sources run at the same time.
 *
 * <p>Each run seeds its legacy databases afresh and gives its jobs a new id namespace, so that a
 * rerun against the same ledger names new transfers and accounts instead of the last run's.
 *
 * <p>Usage: {@code MigrationDemo migrationUrl migrationJar postgresLegacyUrl [mariaDbLegacyUrl]}.
 * Exits 0 only when every source reconciled with 0 differences, every injected anomaly is reported
 * with its reason, the cutover switched and the rollback unfroze legacy.
 */
public final class MigrationDemo {

  static final String DATABASE = "legacy_demo";
  static final String MARIADB_DEFAULT = "jdbc:mariadb://127.0.0.1:3306/" + DATABASE;
  static final int USERS = 200;
  static final int TRANSACTIONS = 2_000;
  static final int ANOMALIES_EACH = 2;
  static final int TRAFFIC_TPS = 20;
  static final int TRAFFIC_SECONDS = 8;
  static final Duration STEP_MAX = Duration.ofSeconds(90);
  static final Map<String, String> REASONS =
      Map.of(
          "BAD_SCALE", "amount-scale-exceeds-asset",
          "DUPLICATE", "duplicate",
          "ORPHAN", "orphan-wallet");

  /** A legacy database the demo migrates, and how to log in to it. */
  record Source(String label, String jdbcUrl, String user, String password) {}

  /** The demo could not go on, or a check failed; the message says which. */
  static final class DemoFailure extends RuntimeException {
    DemoFailure(String message) {
      super(message);
    }
  }

  private final URI runner;
  private final Path jar;

  /**
   * account-service through the gateway, with the operations client's credentials: where the demo
   * checks that a cutover made the migrated wallets payable. Null when the credentials are not set
   * (the demo run outside ./tpw): then only the runner's side is shown.
   */
  private final @Nullable Operations accounts;

  /** The gateway and the operations client (TPW_OPS_CLIENT_ID / TPW_OPS_CLIENT_SECRET). */
  record Operations(URI gateway, String clientId, String secret) {}

  /** How long account-service may take to apply a cutover record it gets through Kafka. */
  static final Duration ACCOUNTS_APPLY_MAX = Duration.ofSeconds(60);

  private final HttpClient http =
      HttpClient.newBuilder()
          .connectTimeout(Duration.ofSeconds(5))
          .version(HttpClient.Version.HTTP_1_1)
          .build();
  private final JsonMapper json = JsonMapper.builder().build();

  MigrationDemo(URI runner, Path jar, @Nullable Operations accounts) {
    this.runner = runner;
    this.jar = jar;
    this.accounts = accounts;
  }

  public static void main(String[] args) {
    if (args.length < 3) {
      System.err.println(
          "usage: MigrationDemo migrationUrl migrationJar postgresLegacyUrl [mariaDbLegacyUrl]");
      System.exit(2);
    }
    List<Source> sources = new ArrayList<>();
    sources.add(
        new Source(
            "PostgreSQL",
            args[2].replaceFirst("^(jdbc:postgresql://[^/?]+)(/[^?]*)?", "$1/" + DATABASE),
            System.getenv().getOrDefault("TPW_PG_USER", "postgres"),
            System.getenv().getOrDefault("TPW_PG_PASSWORD", "")));
    String maria = args.length > 3 ? args[3] : MARIADB_DEFAULT;
    Source mariaDb =
        new Source(
            "MariaDB",
            maria,
            System.getenv().getOrDefault("TPW_MARIADB_USER", "root"),
            System.getenv().getOrDefault("TPW_MARIADB_PASSWORD", ""));
    if (answers(maria)) {
      sources.add(mariaDb);
    } else {
      System.out.println("migration: no MariaDB answers at " + maria + "; PostgreSQL source only");
    }
    String opsId = System.getenv().getOrDefault("TPW_OPS_CLIENT_ID", "");
    String opsSecret = System.getenv().getOrDefault("TPW_OPS_CLIENT_SECRET", "");
    Operations accounts =
        opsId.isBlank() || opsSecret.isBlank()
            ? null
            : new Operations(
                URI.create(
                    System.getenv()
                        .getOrDefault("TPW_GATEWAY_URL", "http://127.0.0.1:8080")
                        .replaceAll("/+$", "")),
                opsId,
                opsSecret);
    if (accounts == null) {
      System.out.println(
          "migration: TPW_OPS_CLIENT_ID/SECRET not set; account-service's side is not shown");
    }
    var demo =
        new MigrationDemo(URI.create(args[0].replaceAll("/+$", "")), Path.of(args[1]), accounts);
    System.exit(demo.run(sources));
  }

  int run(List<Source> sources) {
    System.out.printf(
        "%nLegacy wallet migration through %s: %s%n",
        runner, String.join(" and ", sources.stream().map(Source::label).toList()));
    List<CompletableFuture<String>> runs =
        sources.stream().map(s -> CompletableFuture.supplyAsync(() -> migrate(s))).toList();
    List<String> failures = new ArrayList<>();
    for (int i = 0; i < sources.size(); i++) {
      try {
        System.out.print(runs.get(i).join());
      } catch (RuntimeException e) {
        Throwable cause = e.getCause() != null ? e.getCause() : e;
        failures.add(sources.get(i).label() + ": " + cause.getMessage());
      }
    }
    if (failures.isEmpty()) {
      System.out.println("migration: every source reconciled clean, cut over and rolled back");
      return 0;
    }
    System.out.println("migration: DIFFERENCES");
    failures.forEach(f -> System.out.println("  - " + f));
    return 1;
  }

  /** One source from seed to rollback; answers what to print. */
  private String migrate(Source source) {
    long started = System.nanoTime();
    StringBuilder out = new StringBuilder();
    String tag = "  [" + source.label() + "] ";
    JsonNode seeded =
        json.readTree(
            lastJsonLine(
                legacyCli(
                    source,
                    "seed",
                    "--users",
                    String.valueOf(USERS),
                    "--tx",
                    String.valueOf(TRANSACTIONS),
                    "--anomalies",
                    String.valueOf(ANOMALIES_EACH),
                    "--seed",
                    String.valueOf(System.nanoTime() % 1_000_000),
                    "--reset")));
    out.append(
        "%slegacy wallet %s seeded: %d users, %d wallets, %d transactions, anomalies %s%n"
            .formatted(
                tag,
                source.jdbcUrl(),
                seeded.path("users").asLong(),
                seeded.path("wallets").asLong(),
                seeded.path("transactions").asLong(),
                seeded.path("injected")));

    String job = createJob(source, "demo " + source.label());
    try {
      call("POST", "/v1/migrations/" + job + "/start", "", 202);
    } catch (DemoFailure e) {
      if (e.getMessage().contains("binlog_format")) {
        // A MariaDB that answers but writes no ROW binlog: not a platform fault. Say so, go on.
        return "%sskipped: this MariaDB has no ROW binlog (deploy/scripts/prepare-machine.sh turns it on)%n"
            .formatted(tag);
      }
      throw e;
    }
    JsonNode status = await(job, s -> s.path("snapshotCompletedAt").isString(), "the snapshot");
    out.append(
        "%sjob %s: snapshot of %d rows done%n"
            .formatted(tag, job, status.path("rowsSnapshotted").asLong()));

    Process traffic =
        legacyCliProcess(
            source,
            "traffic",
            "--tps",
            String.valueOf(TRAFFIC_TPS),
            "--seconds",
            String.valueOf(TRAFFIC_SECONDS));
    try {
      if (!traffic.waitFor(TRAFFIC_SECONDS + 60, TimeUnit.SECONDS) || traffic.exitValue() != 0) {
        throw new DemoFailure("live legacy traffic did not finish cleanly");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DemoFailure("interrupted");
    } finally {
      traffic.destroyForcibly();
    }
    status = call("GET", "/v1/migrations/" + job, null, 200);
    out.append(
        "%slive legacy traffic %d tx/s for %d s while streaming: %d changes streamed, lag %s ms%n"
            .formatted(
                tag,
                TRAFFIC_TPS,
                TRAFFIC_SECONDS,
                status.path("eventsStreamed").asLong(),
                status.path("lagMs").asString()));

    // Reconcile before the window, as the runbook does: the cutover then only waits for the
    // ledger's answers to the last seconds of legacy traffic, which keeps the freeze short.
    JsonNode before =
        call("GET", "/v1/migrations/" + job + "/report?ledger=true&waitSeconds=60", null, 200)
            .path("ledger");
    out.append(
        "%sbefore the cutover: ledger settled=%s after %d ms, %d differences%n"
            .formatted(
                tag,
                before.path("settled").asBoolean(),
                before.path("waitedMs").asLong(),
                before.path("differences").size()));

    JsonNode cut =
        call(
            "POST",
            "/v1/migrations/" + job + "/cutover",
            "{\"freezeMethod\":\"TRIGGER\",\"drainSeconds\":60,\"answerSeconds\":60}",
            200);
    if (!"SWITCHED".equals(cut.path("status").asString())) {
      throw new DemoFailure("cutover " + cut.path("status").asString() + ": " + cut.path("detail"));
    }
    out.append(
        "%scutover: legacy frozen by trigger, lag drained, reconciled, switched; writes frozen %d ms%n"
            .formatted(tag, cut.path("frozenMs").asLong()));
    if (cut.path("accountsLimited").asLong() <= 0) {
      throw new DemoFailure("the cutover gave no migrated wallet its no-overdraft limit: " + cut);
    }
    out.append(
        "%s  %d wallet accounts given the ledger's no-overdraft limit in %d ms, %d held%n"
            .formatted(
                tag,
                cut.path("accountsLimited").asLong(),
                cut.path("limitsMs").asLong(),
                cut.path("walletsHeld").size()));
    out.append(importedWallets(tag, job, "SWITCHED"));

    // Legacy is frozen now: the report is the state the switch was made on.
    JsonNode report = call("GET", "/v1/migrations/" + job + "/report?ledger=true", null, 200);
    JsonNode ledger = report.path("ledger");
    out.append(
        ("%sreconciliation: %d wallets read from the ledger, %d matching, %d differences (%d"
                + " unexplained), %d commands rejected; runner checksums: %d of %d accounts match,"
                + " %d mismatches%n")
            .formatted(
                tag,
                ledger.path("accountsRead").asLong(),
                ledger.path("accountsMatching").asLong(),
                ledger.path("differences").size(),
                ledger.path("unexplained").asLong(),
                ledger.path("commandsRejected").asLong(),
                report.path("accountsMatching").asLong(),
                report.path("accountsChecked").asLong(),
                report.path("mismatches").size()));
    Map<String, List<String>> byReason = new TreeMap<>();
    report
        .path("failures")
        .forEach(
            f ->
                byReason
                    .computeIfAbsent(f.path("reason").asString(), r -> new ArrayList<>())
                    .add(f.path("table").asString() + ":" + f.path("pk").asString()));
    byReason.forEach(
        (reason, rows) -> out.append("%s  refused %-28s %s%n".formatted(tag, reason, rows)));
    List<String> suspense = new ArrayList<>();
    report
        .path("suspense")
        .forEach(
            s -> suspense.add(s.path("wallet").asString() + " " + s.path("difference").asString()));
    out.append("%s  opening differences to suspense %s%n".formatted(tag, suspense));
    check(source, seeded, report, byReason, suspense);

    JsonNode back = call("POST", "/v1/migrations/" + job + "/rollback", "", 200);
    if (!"ROLLED_BACK".equals(back.path("status").asString())) {
      throw new DemoFailure("rollback answered " + back);
    }
    out.append(importedWallets(tag, job, "ROLLED_BACK"));
    // A rehearsal ends here: abandoning drops the job's slot and publication from the legacy
    // server, which would otherwise keep WAL for it.
    JsonNode ended = call("POST", "/v1/migrations/" + job + "/abandon", "", 200);
    if (!"ABANDONED".equals(ended.path("phase").asString())) {
      throw new DemoFailure("abandon answered " + ended);
    }
    out.append(
        String.format(
            "%srollback: legacy writable again; job abandoned, its capture released. %d s for"
                + " this source%n",
            tag, (System.nanoTime() - started) / 1_000_000_000));
    return out.toString();
  }

  /** The reconciliation is clean and lists every injected anomaly with its reason. */
  private static void check(
      Source source,
      JsonNode seeded,
      JsonNode report,
      Map<String, List<String>> byReason,
      List<String> suspense) {
    JsonNode ledger = report.path("ledger");
    if (!report.path("clean").asBoolean()
        || ledger.path("differences").size() != 0
        || report.path("mismatches").size() != 0) {
      throw new DemoFailure(
          "reconciliation not clean: "
              + ledger.path("differences")
              + " "
              + report.path("mismatches"));
    }
    List<String> missing = new ArrayList<>();
    REASONS.forEach(
        (anomaly, reason) ->
            seeded
                .path("injected")
                .path(anomaly)
                .forEach(
                    row -> {
                      if (!byReason.getOrDefault(reason, List.of()).contains(row.asString())) {
                        missing.add(row.asString() + " (" + anomaly + ")");
                      }
                    }));
    seeded
        .path("injected")
        .path("BALANCE_DRIFT")
        .forEach(
            row -> {
              if (suspense.stream()
                  .noneMatch(s -> s.startsWith("legacy:" + row.asString() + " "))) {
                missing.add(row.asString() + " (BALANCE_DRIFT)");
              }
            });
    if (!missing.isEmpty()) {
      throw new DemoFailure(
          source.label() + ": injected anomalies missing from the report: " + missing);
    }
  }

  // --- helpers -----------------------------------------------------------------------------

  JsonMapper json() {
    return json;
  }

  /** A new job over {@code source} in a fresh id namespace; answers its id. */
  String createJob(Source source, String name) {
    String body =
        json.writeValueAsString(
            Map.of(
                "name",
                name,
                "source",
                Map.of(
                    "jdbcUrl",
                    source.jdbcUrl(),
                    "user",
                    source.user(),
                    "password",
                    source.password()),
                "legacyZone",
                "Asia/Shanghai",
                "idNamespace",
                UUID.randomUUID().toString()));
    return call("POST", "/v1/migrations", body, 201).path("id").asString();
  }

  /**
   * Waits until account-service has applied the job's cutover record {@code status} (it arrives
   * through Kafka) and answers a line with its wallets per status. After SWITCHED no imported
   * wallet may still be MIGRATING: each is payable (ACTIVE) or HELD with a reason.
   */
  private String importedWallets(String tag, String job, String status) {
    if (accounts == null) {
      return "";
    }
    String token = opsToken();
    long deadline = System.nanoTime() + ACCOUNTS_APPLY_MAX.toNanos();
    JsonNode summary;
    while (true) {
      summary =
          send(
              accounts.gateway(),
              "GET",
              "/v1/accounts/admin/migrations/" + job,
              null,
              200,
              Duration.ofSeconds(30),
              "Bearer " + token);
      JsonNode wallets = summary.path("wallets");
      boolean applied = status.equals(summary.path("cutover").asString(""));
      boolean settled =
          status.equals("SWITCHED")
              ? wallets.path("MIGRATING").asLong() == 0 && wallets.path("ACTIVE").asLong() > 0
              : wallets.path("ACTIVE").asLong() == 0;
      if (applied && settled) {
        break;
      }
      if (System.nanoTime() > deadline) {
        throw new DemoFailure(
            "account-service did not apply the " + status + " cutover record in time: " + summary);
      }
      try {
        Thread.sleep(500);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new DemoFailure("interrupted");
      }
    }
    JsonNode wallets = summary.path("wallets");
    return "%s  account-service after %s: %d wallets ACTIVE, %d MIGRATING, %d HELD%n"
        .formatted(
            tag,
            status,
            wallets.path("ACTIVE").asLong(),
            wallets.path("MIGRATING").asLong(),
            wallets.path("HELD").asLong());
  }

  /** An operations client's access token (client credentials, RFC 6749 4.4) via the gateway. */
  private String opsToken() {
    HttpRequest request =
        ClientCredentials.tokenRequest(
                accounts.gateway(), accounts.clientId(), accounts.secret(), Duration.ofSeconds(30))
            .build();
    JsonNode answer = exchange(request, "POST /v1/accounts/oauth2/token", 200, "account-service");
    String token = answer.path("access_token").asString("");
    if (token.isEmpty()) {
      throw new DemoFailure("the operations client got no access token: " + answer);
    }
    return token;
  }

  JsonNode call(String method, String path, String body, int expected) {
    return call(method, path, body, expected, Duration.ofSeconds(180));
  }

  JsonNode call(String method, String path, String body, int expected, Duration timeout) {
    return send(runner, method, path, body, expected, timeout, null);
  }

  private JsonNode send(
      URI base,
      String method,
      String path,
      @Nullable String body,
      int expected,
      Duration timeout,
      @Nullable String authorization) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(base + path))
            .timeout(timeout)
            .header("Content-Type", "application/json");
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    request.method(
        method,
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    return exchange(
        request.build(),
        method + " " + path,
        expected,
        base.equals(runner) ? "migration-service" : "the gateway");
  }

  private JsonNode exchange(HttpRequest request, String what, int expected, String peer) {
    HttpResponse<String> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new DemoFailure(what + ": " + peer + " unreachable: " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DemoFailure("interrupted");
    }
    if (response.statusCode() != expected) {
      throw new DemoFailure(what + " answered " + response.statusCode() + ": " + response.body());
    }
    return json.readTree(response.body());
  }

  JsonNode await(String job, java.util.function.Predicate<JsonNode> done, String what) {
    return await(job, done, what, STEP_MAX);
  }

  JsonNode await(
      String job, java.util.function.Predicate<JsonNode> done, String what, Duration max) {
    long until = System.nanoTime() + max.toNanos();
    while (true) {
      JsonNode status = call("GET", "/v1/migrations/" + job, null, 200);
      if (done.test(status)) {
        return status;
      }
      if ("FAILED".equals(status.path("phase").asString()) || System.nanoTime() > until) {
        throw new DemoFailure(
            "waiting for "
                + what
                + ": job is "
                + status.path("phase")
                + " "
                + status.path("error"));
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new DemoFailure("interrupted");
      }
    }
  }

  /** The migration jar's legacy CLI ({@code ./tpw legacy ...}) as its own process. */
  Process legacyCliProcess(Source source, String... args) {
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-Dloader.main=io.tpwallet.migration.legacy.LegacyCli",
                "-cp",
                jar.toString(),
                "org.springframework.boot.loader.launch.PropertiesLauncher"));
    command.addAll(List.of(args));
    command.addAll(
        List.of(
            "--url", source.jdbcUrl(), "--user", source.user(), "--password", source.password()));
    try {
      return new ProcessBuilder(command).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new DemoFailure("could not run the legacy CLI from " + jar + ": " + e.getMessage());
    }
  }

  String legacyCli(Source source, String... args) {
    Process p = legacyCliProcess(source, args);
    try {
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new DemoFailure("legacy " + args[0] + " failed: " + out.strip());
      }
      return out;
    } catch (IOException e) {
      throw new DemoFailure("legacy " + args[0] + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DemoFailure("interrupted");
    } finally {
      p.destroyForcibly();
    }
  }

  static String lastJsonLine(String out) {
    return out.lines()
        .filter(l -> l.startsWith("{"))
        .reduce((a, b) -> b)
        .orElseThrow(() -> new DemoFailure("no JSON from the legacy CLI: " + out.strip()));
  }

  /** Whether something listens at the JDBC URL's host and port (3306 if none). */
  private static boolean answers(String jdbcUrl) {
    var m = java.util.regex.Pattern.compile("jdbc:\\w+://([^:/]+)(?::(\\d+))?/.*").matcher(jdbcUrl);
    if (!m.matches()) {
      return false;
    }
    int port = m.group(2) == null ? 3306 : Integer.parseInt(m.group(2));
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(m.group(1), port), 1_000);
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
