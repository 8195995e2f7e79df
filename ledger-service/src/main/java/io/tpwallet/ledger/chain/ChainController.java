package io.tpwallet.ledger.chain;

import io.swagger.v3.oas.annotations.Operation;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** Verifies the hash chain on demand. */
@RestController
class ChainController {

  private final LedgerChain chain;

  ChainController(LedgerChain chain) {
    this.chain = chain;
  }

  /**
   * Recomputes every link of the chain and answers 200 with {@code ok: true}, or {@code ok: false}
   * with the first broken batch ({@code brokenSeq}, {@code brokenBatchId}, {@code reason}). It
   * reads the whole ledger: an operator's and an auditor's call, not a health probe.
   */
  @Operation(
      summary = "Verify the hash chain",
      description =
          "Recomputes every link of the chain in one snapshot and reports the first break (seq, batch id, reason). Batches with rows in archived months are checked against the archive index (counts and the link hash recorded when archived) instead of rehashed; archivedMonths names those months. Reads the whole ledger: an operator call, not a probe.")
  @GetMapping("/v1/ledger/verify")
  Verification verify() {
    return chain.verify();
  }
}
