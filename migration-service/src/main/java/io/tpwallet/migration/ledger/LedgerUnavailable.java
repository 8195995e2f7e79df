package io.tpwallet.migration.ledger;

/**
 * ledger-service could not be reached or answered with a server error: an operating condition the
 * runner waits out (the job pauses and retries), never a reason to post to unopened accounts.
 */
public class LedgerUnavailable extends RuntimeException {

  public LedgerUnavailable(String message, Throwable cause) {
    super(message, cause);
  }

  public LedgerUnavailable(String message) {
    super(message);
  }
}
