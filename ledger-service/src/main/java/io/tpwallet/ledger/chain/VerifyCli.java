package io.tpwallet.ledger.chain;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import tools.jackson.databind.json.JsonMapper;

/**
 * Verifies the ledger's hash chain without starting the service (no web server, no Kafka
 * consumers), from the same environment the service reads:
 *
 * <pre>
 * java -cp ledger-service.jar -Dloader.main=io.tpwallet.ledger.chain.VerifyCli \
 *     org.springframework.boot.loader.launch.PropertiesLauncher verify
 * </pre>
 *
 * Prints the verification as JSON; exits 0 when the chain is whole, 1 at the first broken batch, 2
 * when it could not verify (bad arguments, database unreachable).
 */
public final class VerifyCli {

  private VerifyCli() {}

  public static void main(String[] args) {
    System.exit(run(args));
  }

  static int run(String[] args) {
    if (args.length != 1 || !args[0].equals("verify")) {
      System.err.println(
          "usage: VerifyCli verify   (env TPW_PG_URL, TPW_PG_USER, TPW_PG_PASSWORD,"
              + " TPW_LEDGER_DATABASE=tpw_ledger)");
      return 2;
    }
    try {
      var dataSource = CliDatabase.fromEnvironment();
      Verification v =
          new ChainVerifier(
                  JdbcClient.create(dataSource), new DataSourceTransactionManager(dataSource))
              .verify();
      System.out.println(JsonMapper.builder().build().writeValueAsString(v));
      return v.ok() ? 0 : 1;
    } catch (RuntimeException e) {
      System.err.println("verify failed: " + e);
      return 2;
    }
  }
}
