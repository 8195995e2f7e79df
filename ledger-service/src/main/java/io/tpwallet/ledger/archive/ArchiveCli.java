package io.tpwallet.ledger.archive;

import io.tpwallet.common.problem.ProblemException;
import io.tpwallet.ledger.chain.CliDatabase;
import java.nio.file.Path;
import java.time.Clock;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import tools.jackson.databind.json.JsonMapper;

/**
 * Archives or restores a month without starting the service, from the service's environment:
 *
 * <pre>
 * java -cp ledger-service.jar -Dloader.main=io.tpwallet.ledger.archive.ArchiveCli \
 *     org.springframework.boot.loader.launch.PropertiesLauncher archive|restore|list [YYYY-MM]
 * </pre>
 *
 * Reads TPW_PG_URL, TPW_PG_USER, TPW_PG_PASSWORD, TPW_LEDGER_DATABASE (tpw_ledger),
 * TPW_LEDGER_ARCHIVE_DIR and TPW_LEDGER_ARCHIVE_MIN_AGE_MONTHS (3). Prints the index (or the
 * problem) as JSON; exits 0 when done, 1 when refused (the problem says why), 2 on bad arguments or
 * an error.
 */
public final class ArchiveCli {

  private ArchiveCli() {}

  public static void main(String[] args) {
    System.exit(run(args));
  }

  static int run(String[] args) {
    boolean list = args.length == 1 && args[0].equals("list");
    boolean one = args.length == 2 && (args[0].equals("archive") || args[0].equals("restore"));
    if (!list && !one) {
      System.err.println(
          "usage: ArchiveCli archive YYYY-MM | restore YYYY-MM | list   (env TPW_PG_URL,"
              + " TPW_PG_USER, TPW_PG_PASSWORD, TPW_LEDGER_DATABASE=tpw_ledger,"
              + " TPW_LEDGER_ARCHIVE_DIR, TPW_LEDGER_ARCHIVE_MIN_AGE_MONTHS=3)");
      return 2;
    }
    String directory =
        env("TPW_LEDGER_ARCHIVE_DIR", System.getProperty("user.home") + "/.tpw/ledger-archive");
    JsonMapper json = JsonMapper.builder().build();
    try {
      var dataSource = CliDatabase.fromEnvironment();
      var archive =
          new LedgerArchive(
              dataSource,
              new DataSourceTransactionManager(dataSource),
              Clock.systemUTC(),
              Path.of(directory),
              Integer.parseInt(env("TPW_LEDGER_ARCHIVE_MIN_AGE_MONTHS", "3")));
      Object result =
          list
              ? archive.list()
              : args[0].equals("archive")
                  ? archive.archive(LedgerArchive.month(args[1]))
                  : archive.restore(LedgerArchive.month(args[1]));
      System.out.println(json.writeValueAsString(result));
      return 0;
    } catch (ProblemException e) {
      System.out.println(json.writeValueAsString(e.toProblemDetail(null)));
      return 1;
    } catch (RuntimeException e) {
      System.err.println(args[0] + " failed: " + e);
      return 2;
    }
  }

  private static String env(String name, String fallback) {
    return CliDatabase.env(name, fallback);
  }
}
