package io.tpwallet.common.event;

import java.util.List;
import java.util.UUID;

/**
 * ledger-service's answer to one {@link TransfersRequested}: each transfer's result, in the
 * command's order, under the command's key. A transfer the ledger holds as posted (written now, or
 * by an earlier command with the same id) is {@link #POSTED}; any other result is the ledger's
 * refusal code (INSUFFICIENT_FUNDS, ACCOUNT_NOT_FOUND, ...) with its detail.
 */
public record TransfersAnswered(List<Answer> answers) {

  /** The result of a transfer the ledger holds as posted. */
  public static final String POSTED = "POSTED";

  public TransfersAnswered {
    answers = List.copyOf(answers);
  }

  /** One transfer's result: {@link #POSTED} or a refusal code, with the refusal's detail. */
  public record Answer(UUID transferId, String reference, String result, String detail) {

    public boolean posted() {
      return POSTED.equals(result);
    }
  }
}
