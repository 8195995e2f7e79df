package io.tpwallet.migration.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code ./tpw migrate}: the runner's REST API from a terminal. Exit codes: 0 done, 2 bad usage, 3
 * the runner answered with an error (printed as its problem detail), 4 the runner did not answer, 5
 * {@code validate} found the job not clean.
 */
@Command(
    name = "migrate",
    mixinStandardHelpOptions = true,
    description = "Migration jobs of migration-service (TPW_MIGRATION_URL).",
    subcommands = {
      MigrateCli.Create.class,
      MigrateCli.DryRun.class,
      MigrateCli.Status.class,
      MigrateCli.Validate.class,
      MigrateCli.Cutover.class,
      MigrateCli.Report.class,
      MigrateCli.Resync.class
    })
public final class MigrateCli {

  public static final int EXIT_PROBLEM = 3;
  public static final int EXIT_UNREACHABLE = 4;
  public static final int EXIT_NOT_CLEAN = 5;

  /** The longest a watch runs: a day of one line a second. */
  static final Duration WATCH_MAX = Duration.ofHours(24);

  private static final Duration CALL = Duration.ofSeconds(30);
  private static final Duration LONG_CALL = Duration.ofSeconds(660);

  final Map<String, String> env;
  final PrintWriter out;
  final JsonMapper json = new JsonMapper();

  MigrateCli(Map<String, String> env, PrintWriter out) {
    this.env = env;
    this.out = out;
  }

  public static void main(String[] args) {
    PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
    PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
    System.exit(run(args, System.getenv(), out, err));
  }

  /** Runs one command line; answers the exit code. */
  public static int run(String[] args, Map<String, String> env, PrintWriter out, PrintWriter err) {
    MigrateCli cli = new MigrateCli(env, out);
    return new CommandLine(cli)
        .setOut(out)
        .setErr(err)
        .setExecutionExceptionHandler(
            (e, commandLine, parsed) -> {
              if (e instanceof RunnerClient.Problem p) {
                err.println(p.render());
                return EXIT_PROBLEM;
              }
              if (e instanceof RunnerClient.Unreachable u) {
                err.println("error: " + u.getMessage());
                return EXIT_UNREACHABLE;
              }
              if (e instanceof Usage u) {
                err.println("error: " + u.getMessage());
                return 2;
              }
              throw e;
            })
        .execute(args);
  }

  /** Bad usage found after parsing (no job id, no legacy URL): exit 2. */
  static final class Usage extends RuntimeException {
    Usage(String message) {
      super(message);
    }
  }

  RunnerClient client() {
    return new RunnerClient(
        URI.create(env.getOrDefault("TPW_MIGRATION_URL", "http://127.0.0.1:8086")), json);
  }

  Path jobFile() {
    return Path.of(env.getOrDefault("TPW_MIGRATION_JOB_FILE", ".tpw/migration-job"));
  }

  /** The given job id, else the last one created here. */
  UUID job(@Nullable String given) throws IOException {
    if (given != null) {
      try {
        return UUID.fromString(given);
      } catch (IllegalArgumentException e) {
        throw new Usage("not a job id: " + given);
      }
    }
    if (!Files.exists(jobFile())) {
      throw new Usage("no job id given and none created yet (./tpw migrate create)");
    }
    return UUID.fromString(Files.readString(jobFile()).strip());
  }

  void print(JsonNode node) {
    out.println(json.writerWithDefaultPrettyPrinter().writeValueAsString(node));
  }

  /** Options of a new job. */
  static final class JobOptions {
    @Option(names = "--name", defaultValue = "legacy wallet", description = "job name")
    String name = "legacy wallet";

    @Option(
        names = "--zone",
        defaultValue = "Asia/Shanghai",
        description = "legacy local time zone")
    String zone = "Asia/Shanghai";

    @Option(names = "--url", description = "legacy JDBC URL (default TPW_LEGACY_URL)")
    @Nullable String url;

    @Option(names = "--id-namespace", description = "UUIDv5 namespace of the job's ids")
    @Nullable String idNamespace;
  }

  /** Creates a job and remembers its id as the current job; answers its status. */
  JsonNode create(JobOptions o, boolean dryRun) throws Exception {
    String url = o.url != null ? o.url : env.get("TPW_LEGACY_URL");
    if (url == null || url.isBlank()) {
      throw new Usage("--url (or TPW_LEGACY_URL) is required");
    }
    boolean mariaDb = url.startsWith("jdbc:mariadb:") || url.startsWith("jdbc:mysql:");
    Map<String, Object> source = new LinkedHashMap<>();
    source.put("jdbcUrl", url);
    source.put(
        "user",
        mariaDb
            ? env.getOrDefault("TPW_MARIADB_USER", "root")
            : env.getOrDefault("TPW_PG_USER", "postgres"));
    source.put(
        "password",
        mariaDb
            ? env.getOrDefault("TPW_MARIADB_PASSWORD", "")
            : env.getOrDefault("TPW_PG_PASSWORD", ""));
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("name", o.name);
    body.put("source", source);
    body.put("legacyZone", o.zone);
    body.put("dryRun", dryRun);
    if (o.idNamespace != null) {
      body.put("idNamespace", o.idNamespace);
    }
    JsonNode created = client().post("/v1/migrations", json.writeValueAsString(body), CALL);
    Files.createDirectories(jobFile().toAbsolutePath().getParent());
    Files.writeString(jobFile(), created.path("id").asString() + "\n");
    return created;
  }

  abstract static class Sub implements Callable<Integer> {
    @ParentCommand MigrateCli cli;
  }

  abstract static class OnJob extends Sub {
    @Parameters(arity = "0..1", paramLabel = "JOB_ID", description = "default: the last created")
    @Nullable String jobId;

    String path(String tail) throws IOException {
      return "/v1/migrations/" + cli.job(jobId) + tail;
    }
  }

  @Command(name = "create", description = "a migration job over the legacy database")
  static final class Create extends Sub {
    @CommandLine.Mixin JobOptions options = new JobOptions();

    @Option(names = "--dry-run", description = "map and record everything, send nothing")
    boolean dryRun;

    @Override
    public Integer call() throws Exception {
      cli.print(cli.create(options, dryRun));
      return 0;
    }
  }

  @Command(name = "dry-run", description = "create a dry-run job and start it")
  static final class DryRun extends Sub {
    @CommandLine.Mixin JobOptions options = new JobOptions();

    @Override
    public Integer call() throws Exception {
      JsonNode created = cli.create(options, true);
      cli.print(
          cli.client()
              .post("/v1/migrations/" + created.path("id").asString() + "/start", null, CALL));
      return 0;
    }
  }

  @Command(name = "start", description = "open the accounts, snapshot, stream")
  int start(@Parameters(arity = "0..1", paramLabel = "JOB_ID") @Nullable String jobId)
      throws Exception {
    return action(jobId, "start");
  }

  @Command(name = "pause", description = "stop capturing; offsets and slot kept")
  int pause(@Parameters(arity = "0..1", paramLabel = "JOB_ID") @Nullable String jobId)
      throws Exception {
    return action(jobId, "pause");
  }

  @Command(name = "resume", description = "carry on from the stored offsets")
  int resume(@Parameters(arity = "0..1", paramLabel = "JOB_ID") @Nullable String jobId)
      throws Exception {
    return action(jobId, "resume");
  }

  @Command(name = "rollback", description = "drop the freeze: legacy writable again")
  int rollback(@Parameters(arity = "0..1", paramLabel = "JOB_ID") @Nullable String jobId)
      throws Exception {
    return action(jobId, "rollback");
  }

  @Command(
      name = "finish",
      description = "end a switched job: slot and publication dropped, no rollback after this")
  int finish(@Parameters(arity = "0..1", paramLabel = "JOB_ID") @Nullable String jobId)
      throws Exception {
    return action(jobId, "finish");
  }

  @Command(
      name = "abandon",
      description = "end a job that did not switch: slot and publication dropped, legacy kept")
  int abandon(@Parameters(arity = "0..1", paramLabel = "JOB_ID") @Nullable String jobId)
      throws Exception {
    return action(jobId, "abandon");
  }

  private int action(@Nullable String jobId, String action) throws Exception {
    print(client().post("/v1/migrations/" + job(jobId) + "/" + action, null, CALL));
    return 0;
  }

  @Command(name = "status", description = "the job's progress; --watch draws it live")
  static final class Status extends OnJob {
    @Option(names = "--all", description = "every job")
    boolean all;

    @Option(names = "--watch", description = "redraw one progress line each second")
    boolean watch;

    @Option(names = "--interval-ms", defaultValue = "1000", hidden = true)
    long intervalMs = 1000;

    @Override
    public Integer call() throws Exception {
      if (all) {
        cli.print(cli.client().get("/v1/migrations", CALL));
        return 0;
      }
      String path = path("");
      if (!watch) {
        cli.print(cli.client().get(path, CALL));
        return 0;
      }
      long until = System.nanoTime() + WATCH_MAX.toNanos();
      while (true) {
        JsonNode status = cli.client().get(path, CALL);
        cli.out.print("\r" + Progress.line(status) + "   ");
        cli.out.flush();
        if (Progress.still(status) || System.nanoTime() > until) {
          cli.out.println();
          return 0;
        }
        Thread.sleep(Math.max(100, intervalMs));
      }
    }
  }

  @Command(name = "validate", description = "reconcile against the ledger; exit 5 unless clean")
  static final class Validate extends OnJob {
    @Override
    public Integer call() throws Exception {
      JsonNode report = cli.client().get(path("/report?ledger=true&waitSeconds=30"), LONG_CALL);
      boolean clean = report.path("clean").asBoolean(false);
      cli.out.printf(
          "%s: %d wallets checked, %d matching, %d mismatches, ledger differences %d"
              + " (unexplained %d), rejected %d, flagged while streaming %d, refused rows %d%n",
          clean ? "clean" : "NOT clean",
          report.path("accountsChecked").asLong(),
          report.path("accountsMatching").asLong(),
          report.path("mismatches").size(),
          report.path("ledger").path("differences").size(),
          report.path("ledger").path("unexplained").asLong(),
          report.path("ledger").path("commandsRejected").asLong(),
          report.path("streaming").path("mismatchCount").asLong(),
          report.path("failureCount").asLong());
      return clean ? 0 : EXIT_NOT_CLEAN;
    }
  }

  @Command(name = "cutover", description = "freeze, drain, reconcile, switch")
  static final class Cutover extends OnJob {
    @Option(names = "--method", defaultValue = "TRIGGER", description = "TRIGGER or EXTERNAL")
    String method = "TRIGGER";

    @Override
    public Integer call() throws Exception {
      String body = cli.json.writeValueAsString(Map.of("freezeMethod", method));
      cli.print(cli.client().post(path("/cutover"), body, LONG_CALL));
      return 0;
    }
  }

  @Command(name = "report", description = "the reconciliation report")
  static final class Report extends OnJob {
    @Option(names = "--no-ledger", description = "leave out the comparison with ledger-service")
    boolean noLedger;

    @Option(names = "--html", paramLabel = "FILE", description = "write the report page here")
    @Nullable Path html;

    @Override
    public Integer call() throws Exception {
      String query = "?ledger=" + !noLedger + "&waitSeconds=30";
      if (html != null) {
        Files.writeString(html, cli.client().getText(path("/report.html" + query), LONG_CALL));
        cli.out.println("report written to " + html);
      } else {
        cli.print(cli.client().get(path("/report" + query), LONG_CALL));
      }
      return 0;
    }
  }

  @Command(name = "resync", description = "read one legacy table again while streaming")
  static final class Resync extends OnJob {
    @Option(names = "--table", required = true, description = "users, wallets or transactions")
    String table = "";

    @Override
    public Integer call() throws Exception {
      String body = cli.json.writeValueAsString(Map.of("table", table));
      cli.print(cli.client().post(path("/resync"), body, CALL));
      return 0;
    }
  }
}
