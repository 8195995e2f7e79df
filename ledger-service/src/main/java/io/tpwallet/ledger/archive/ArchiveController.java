package io.tpwallet.ledger.archive;

import io.swagger.v3.oas.annotations.Operation;
import io.tpwallet.common.problem.ProblemException;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** Operations: archive a cold month, list the archive index, restore a month. */
@RestController
class ArchiveController {

  private final LedgerArchive archive;

  ArchiveController(LedgerArchive archive) {
    this.archive = archive;
  }

  record ArchiveRequest(@Nullable String month) {}

  record ArchiveList(List<ArchiveIndex> archives) {}

  @Operation(
      summary = "Archive a cold month",
      description =
          "Writes the month's transfers and entries to two gzip CSV files (tpw.ledger.archive.dir), reads them back and compares them row for row, keeps an index (row counts, id and time range, SHA-256 of each file, per-batch link hashes, per-account totals), then drops the month's partitions. Refused (RFC 9457): a malformed month 400, the current month or one younger than tpw.ledger.archive.min-age-months 422 archive-month-too-recent, a month without transfers 404 archive-month-not-found, already archived 409 archive-exists, open holds 409 archive-open-holds, an older month not archived 409 archive-out-of-order, a chain that does not verify 409 archive-chain-broken. Answers 201 with the index.")
  @PostMapping("/v1/ledger/archives")
  @ResponseStatus(HttpStatus.CREATED)
  ArchiveIndex archive(@RequestBody ArchiveRequest request) {
    return archive.archive(LedgerArchive.month(request.month()));
  }

  @Operation(
      summary = "List archived months",
      description = "The retained archive index, oldest month first.")
  @GetMapping("/v1/ledger/archives")
  ArchiveList list() {
    return new ArchiveList(archive.list());
  }

  @Operation(
      summary = "Archived month",
      description = "The archive index of one month; 404 when the month is not archived.")
  @GetMapping("/v1/ledger/archives/{month}")
  ArchiveIndex one(@PathVariable String month) {
    return archive
        .find(LedgerArchive.month(month))
        .orElseThrow(() -> ProblemException.notFound(month + " is not archived."));
  }

  @Operation(
      summary = "Restore an archived month",
      description =
          "Checks both files' SHA-256 against the index, re-creates the month's partitions, copies the rows back through the database's checks (double entry, entries naming their transfers, the id table, account foreign keys), checks the row counts and verifies the whole chain, in one transaction: on any difference nothing changes. Refused: malformed 400, not archived 404 archive-not-found, a newer month still archived 409 archive-out-of-order, files that do not match the index 409 archive-corrupt, a chain that does not verify 409 archive-chain-broken. Answers 200 with the index restored from and the verification.")
  @PostMapping("/v1/ledger/archives/{month}/restore")
  Restored restore(@PathVariable String month) {
    return archive.restore(LedgerArchive.month(month));
  }
}
