package io.tpwallet.ledger.transfer;

import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Releases holds whose timeout has passed, by writing an EXPIRE transfer for each. Idempotent: an
 * expiry's id is derived from its hold's and a hold is resolved at most once, so two runs (or two
 * instances) at the same time write one expiry, and a hold posted or voided meanwhile stays so.
 */
@Component
class HoldExpiry {

  /** The most holds one run expires, in one batch. */
  static final int EXPIRY_BATCH_MAX = 1000;

  private static final Logger log = LoggerFactory.getLogger(HoldExpiry.class);

  private final TransferService transfers;

  HoldExpiry(TransferService transfers) {
    this.transfers = transfers;
  }

  /** Expires the holds due now; returns how many this run expired. */
  @Scheduled(fixedDelayString = "${tpw.ledger.expiry-interval:1s}")
  int expireDue() {
    List<UUID> due = transfers.dueHolds(EXPIRY_BATCH_MAX);
    if (due.isEmpty()) {
      return 0;
    }
    List<Posting> results = transfers.execute(due.stream().map(ResolveCommand::expiry).toList());
    int expired = (int) results.stream().filter(p -> p.result() == TransferResult.OK).count();
    if (expired > 0) {
      log.info("Expired {} hold(s)", expired);
    }
    return expired;
  }
}
