package io.tpwallet.migration.job;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The reconciliation report as a page people read: the verdict first, then the ledger check, the
 * rows refused by reason, the opening differences booked to suspense, the mismatching wallets and
 * the latest cutover (wallets limited, wallets held). Every value from legacy data is HTML-escaped.
 */
final class ReportPage {

  private final StringBuilder html = new StringBuilder();

  private ReportPage() {}

  static String render(MigrationController.ReportWithLedger all) {
    return new ReportPage().page(all);
  }

  private String page(MigrationController.ReportWithLedger all) {
    Reconciliation.Report r = all.report();
    html.append("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>")
        .append(esc("Migration report: " + r.name()))
        .append("</title><style>body{font-family:sans-serif;margin:2em;max-width:70em}")
        .append("table{border-collapse:collapse;margin:.5em 0 1.5em}")
        .append("td,th{border:1px solid #ccc;padding:.2em .6em;text-align:left}")
        .append(".clean{color:#070}.dirty{color:#b00}</style></head><body>\n");
    html.append("<h1>").append(esc(r.name())).append("</h1>\n");
    html.append("<p class=\"")
        .append(all.clean() ? "clean" : "dirty")
        .append("\"><strong>")
        .append(all.clean() ? "Clean" : "Not clean")
        .append("</strong>: job ")
        .append(esc(String.valueOf(r.jobId())))
        .append(", phase ")
        .append(esc(r.phase().name()))
        .append(r.dryRun() ? " (dry run)" : "")
        .append("</p>\n");
    table(
        "Runner against legacy",
        List.of("what", "value"),
        List.of(
            List.of("ledger commands", String.valueOf(r.commands())),
            List.of("commands by kind", String.valueOf(r.commandsByKind())),
            List.of("legacy transactions by state", String.valueOf(r.transactionsByState())),
            List.of("wallets checked", String.valueOf(r.accountsChecked())),
            List.of(
                "wallets matching (balance, count, checksum)",
                String.valueOf(r.accountsMatching())),
            List.of("rows explained by failures", String.valueOf(r.explainedRows())),
            List.of("mismatches", String.valueOf(r.mismatches().size()))));
    Reconciliation.LedgerCheck l = all.ledger();
    if (l != null) {
      table(
          "Legacy against ledger-service",
          List.of("what", "value"),
          List.of(
              List.of("settled (caught up, every command answered)", String.valueOf(l.settled())),
              List.of("waited ms", String.valueOf(l.waitedMs())),
              List.of("commands unanswered", String.valueOf(l.commandsUnanswered())),
              List.of("commands rejected", String.valueOf(l.commandsRejected())),
              List.of("wallets read from the ledger", String.valueOf(l.accountsRead())),
              List.of("wallets matching", String.valueOf(l.accountsMatching())),
              List.of("differences", String.valueOf(l.differences().size())),
              List.of("unexplained", String.valueOf(l.unexplained()))));
      table(
          "Ledger differences",
          List.of("wallet", "asset", "legacy", "ledger", "explanation"),
          l.differences().stream()
              .map(
                  d ->
                      List.of(
                          String.valueOf(d.walletId()),
                          d.asset(),
                          String.valueOf(d.legacyBalance()),
                          String.valueOf(d.ledgerBalance()),
                          d.explanation()))
              .toList());
    }
    table(
        "Refused rows by reason (" + r.failureCount() + ")",
        List.of("reason", "rows"),
        r.failuresByReason().entrySet().stream()
            .map(e -> List.of(e.getKey(), String.valueOf(e.getValue())))
            .toList());
    table(
        "Refused rows",
        List.of("row", "reason", "detail"),
        r.failures().stream()
            .map(f -> List.of(f.table() + ":" + f.pk(), f.reason(), f.detail()))
            .toList());
    table(
        "Opening differences booked to suspense",
        List.of("wallet", "asset", "difference", "legacy balance"),
        r.suspense().stream()
            .map(s -> List.of(s.wallet(), s.asset(), s.difference(), s.legacyBalance()))
            .toList());
    table(
        "Mismatching wallets",
        List.of("wallet", "asset", "legacy balance", "migrated balance", "legacy rows", "rows"),
        r.mismatches().stream()
            .map(
                m ->
                    List.of(
                        String.valueOf(m.walletId()),
                        m.asset(),
                        String.valueOf(m.legacyBalance()),
                        m.ledgerBalance(),
                        String.valueOf(m.legacyCount()),
                        String.valueOf(m.ledgerCount())))
            .toList());
    ContinuousReconciliation.Summary c = all.streaming();
    table(
        "Flagged while streaming (still different after the lag drained)",
        List.of("wallet", "reason", "detail", "first seen", "flagged"),
        c.mismatches().stream()
            .map(
                m ->
                    List.of(
                        String.valueOf(m.walletId()),
                        m.reason(),
                        m.detail(),
                        m.firstSeenAt().toString(),
                        m.flaggedAt().toString()))
            .toList());
    Cutover.Record cut = all.cutover();
    if (cut != null) {
      table(
          "Latest cutover",
          List.of("what", "value"),
          List.of(
              List.of("status", cut.status()),
              List.of("legacy frozen ms", String.valueOf(cut.frozenMs())),
              List.of("wallet accounts given the no-overdraft limit", count(cut.accountsLimited())),
              List.of("ms to set the limits", count(cut.limitsMs())),
              List.of(
                  "wallets held (overdrawn: not payable)",
                  String.valueOf(cut.walletsHeld().size())),
              List.of("detail", String.valueOf(cut.detail()))));
      table(
          "Held wallets (ledger account ids)",
          List.of("wallet"),
          cut.walletsHeld().stream().map(w -> List.of(w.toString())).toList());
    }
    return html.append("</body></html>\n").toString();
  }

  private void table(String title, List<String> head, List<List<String>> rows) {
    html.append("<h2>").append(esc(title)).append("</h2>\n");
    if (rows.isEmpty()) {
      html.append("<p>none</p>\n");
      return;
    }
    html.append("<table><tr>");
    head.forEach(h -> html.append("<th>").append(esc(h)).append("</th>"));
    html.append("</tr>\n");
    for (List<String> row : rows) {
      html.append("<tr>");
      row.forEach(c -> html.append("<td>").append(esc(c)).append("</td>"));
      html.append("</tr>\n");
    }
    html.append("</table>\n");
  }

  private static String count(@Nullable Long n) {
    return n == null ? "-" : String.valueOf(n);
  }

  static String esc(@Nullable String text) {
    if (text == null) {
      return "";
    }
    StringBuilder out = new StringBuilder(text.length());
    for (char c : text.toCharArray()) {
      switch (c) {
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '&' -> out.append("&amp;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }
}
