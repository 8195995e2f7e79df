package io.tpwallet.ledger.transfer;

import java.time.Clock;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Makes sure the monthly partitions of transfers and entries exist for the months a batch writes
 * (migration V8, {@code ledger_ensure_month}), without a round trip on the hot path.
 *
 * <p>A job creates this month and the next {@value #MONTHS_AHEAD} ahead, so that live traffic finds
 * its month; a batch checks its months against a cache of months known to exist and calls the
 * database only for one it has not seen (imported history with old timestamps), before it takes its
 * account locks, so that creating a partition never waits on a lock the batch holds. A month old
 * enough to be archived ({@code tpw.ledger.archive.min-age-months}) is never trusted from the
 * cache, since another process may have archived it: a batch into such a month asks the database
 * each time (one call per batch, not per transfer), which refuses an archived month.
 */
@Component
class MonthPartitions {

  /** Months created ahead of the current one by the job. */
  static final int MONTHS_AHEAD = 2;

  private static final Logger log = LoggerFactory.getLogger(MonthPartitions.class);

  private final JdbcClient jdbc;
  private final Clock clock;
  private final int archiveMinAgeMonths;
  private final Set<YearMonth> known = ConcurrentHashMap.newKeySet();

  MonthPartitions(
      JdbcClient jdbc,
      Clock clock,
      @Value("${tpw.ledger.archive.min-age-months:3}") int archiveMinAgeMonths) {
    this.jdbc = jdbc;
    this.clock = clock;
    this.archiveMinAgeMonths = archiveMinAgeMonths;
  }

  static YearMonth monthOf(Instant t) {
    return YearMonth.from(t.atOffset(ZoneOffset.UTC));
  }

  /**
   * The archived months among {@code months}. Only a month old enough to be archived is asked for,
   * so a batch of live traffic (this month) costs no query.
   */
  Set<YearMonth> archived(Collection<YearMonth> months) {
    YearMonth current = monthOf(clock.instant());
    List<String> old =
        months.stream()
            .filter(m -> m.plusMonths(archiveMinAgeMonths).isBefore(current))
            .map(m -> m.atDay(1).toString())
            .toList();
    if (old.isEmpty()) {
      return Set.of();
    }
    return Set.copyOf(
        jdbc.sql("select month from ledger_archive where month = any(?::date[])")
            .param(old.toArray(String[]::new))
            .query((rs, row) -> YearMonth.from(rs.getDate("month").toLocalDate()))
            .list());
  }

  /** Ensures the partitions of {@code months} exist; raises if one of them is archived. */
  void ensure(Collection<YearMonth> months) {
    YearMonth current = monthOf(clock.instant());
    for (YearMonth m : months) {
      boolean archivable = m.plusMonths(archiveMinAgeMonths).isBefore(current);
      if (!archivable && known.contains(m)) {
        continue;
      }
      create(m);
      if (!archivable) {
        known.add(m);
      }
    }
  }

  /** Creates this month and the next ones ahead, at start and then hourly. */
  @Scheduled(initialDelayString = "0s", fixedDelayString = "${tpw.ledger.partitions-interval:1h}")
  void createAhead() {
    YearMonth current = monthOf(clock.instant());
    for (int k = 0; k <= MONTHS_AHEAD; k++) {
      YearMonth m = current.plusMonths(k);
      if (create(m)) {
        log.info("Created the ledger partitions of {}", m);
      }
      known.add(m);
    }
  }

  private boolean create(YearMonth m) {
    return Boolean.TRUE.equals(
        jdbc.sql("select ledger_ensure_month(?::timestamptz)")
            .param(m.atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC).toString())
            .query(Boolean.class)
            .single());
  }
}
