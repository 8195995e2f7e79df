package io.tpwallet.ledger.archive;

import io.tpwallet.common.problem.ProblemException;
import io.tpwallet.common.problem.ProblemTypes;
import io.tpwallet.ledger.chain.ChainVerifier;
import io.tpwallet.ledger.chain.Verification;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Archives a cold month of transfers and entries to two gzip-compressed CSV files (PostgreSQL COPY,
 * streamed through the driver), keeps an index of it in the database ({@code ledger_archive}, per
 * batch {@code ledger_archive_batch}, per account {@code ledger_archive_account}), and drops the
 * month's partitions; restores a month from its files.
 *
 * <p>Archive refuses the current month and any month younger than {@code minAgeMonths} (a migration
 * may still import into it), a month with open holds, a month while an older month still has rows
 * (months leave oldest first and come back newest first, so that a resolution, a reversal or a
 * later import is never archived while what it refers to is live), and a ledger whose chain does
 * not verify. Before anything is dropped, the files are read back into a scratch table and compared
 * row for row with the partition. Restore checks the files' SHA-256 against the index, copies them
 * into a re-created partition (the database's own checks run on every row: double entry, foreign
 * keys, the id table), checks the counts, and verifies the whole chain in the same transaction: if
 * anything differs, nothing is changed.
 *
 * <p>Plain JDBC and no Spring context needed, so that the CLI uses it too.
 */
public final class LedgerArchive {

  static final URI TOO_RECENT = ProblemTypes.of("archive-month-too-recent");
  static final URI MONTH_NOT_FOUND = ProblemTypes.of("archive-month-not-found");
  static final URI ALREADY_ARCHIVED = ProblemTypes.of("archive-exists");
  static final URI OPEN_HOLDS = ProblemTypes.of("archive-open-holds");
  static final URI OUT_OF_ORDER = ProblemTypes.of("archive-out-of-order");
  static final URI NOT_ARCHIVED = ProblemTypes.of("archive-not-found");
  static final URI CORRUPT = ProblemTypes.of("archive-corrupt");
  static final URI CHAIN_BROKEN = ProblemTypes.of("archive-chain-broken");

  /** Serialises archives and restores ("tpw_arch"). */
  static final long ARCHIVE_LOCK_KEY = 0x7470775f61726368L;

  private static final Pattern MONTH = Pattern.compile("\\d{4}-\\d{2}");

  /** The columns of each file, in order: what restore copies back. */
  static final String TRANSFER_COLUMNS =
      "id, debit_account_id, credit_account_id, amount, asset, reference, created_at, kind,"
          + " pending_id, timeout_at, batch_id, reverses_id, legacy_ref, metadata";

  static final String ENTRY_COLUMNS = "id, transfer_id, account_id, direction, amount, created_at";

  private final DataSource dataSource;
  private final JdbcClient jdbc;
  private final TransactionTemplate tx;
  private final ChainVerifier verifier;
  private final Clock clock;
  private final Path directory;
  private final int minAgeMonths;

  public LedgerArchive(
      DataSource dataSource,
      PlatformTransactionManager transactions,
      Clock clock,
      Path directory,
      int minAgeMonths) {
    if (minAgeMonths < 0) {
      throw new IllegalArgumentException("minAgeMonths is not negative");
    }
    this.dataSource = dataSource;
    this.jdbc = JdbcClient.create(dataSource);
    this.tx = new TransactionTemplate(transactions);
    this.verifier = new ChainVerifier(jdbc, transactions);
    this.clock = clock;
    this.directory = directory;
    this.minAgeMonths = minAgeMonths;
  }

  /** A month as YYYY-MM, or a 400 problem. */
  public static YearMonth month(@Nullable String text) {
    if (text == null || !MONTH.matcher(text).matches()) {
      throw invalid("month is YYYY-MM, e.g. 2026-01.");
    }
    try {
      return YearMonth.parse(text);
    } catch (DateTimeParseException e) {
      throw invalid("month is YYYY-MM, e.g. 2026-01.");
    }
  }

  /** The archived months, oldest first. */
  public List<ArchiveIndex> list() {
    return jdbc.sql("select * from ledger_archive order by month")
        .query(LedgerArchive::index)
        .list();
  }

  public Optional<ArchiveIndex> find(YearMonth month) {
    return jdbc.sql("select * from ledger_archive where month = ?::date")
        .param(month.atDay(1).toString())
        .query(LedgerArchive::index)
        .optional();
  }

  /** Archives {@code month}: files written and checked, index kept, partitions dropped. */
  public ArchiveIndex archive(YearMonth month) {
    YearMonth current = YearMonth.from(clock.instant().atOffset(ZoneOffset.UTC));
    if (!month.plusMonths(minAgeMonths).isBefore(current) || !month.isBefore(current)) {
      throw problem(
          HttpStatus.UNPROCESSABLE_CONTENT,
          TOO_RECENT,
          "Month too recent",
          month
              + " is not archivable yet: only months more than "
              + minAgeMonths
              + " month(s) before the current one ("
              + current
              + ") are, since a migration may still import into a younger month.");
    }
    verifyOrRefuse("nothing is archived");
    String partial = ".partial-" + UUID.randomUUID();
    Path transfersFile = directory.resolve("ledger-" + month + "-transfers.csv.gz");
    Path entriesFile = directory.resolve("ledger-" + month + "-entries.csv.gz");
    Path transfersPartial = directory.resolve(transfersFile.getFileName() + partial);
    Path entriesPartial = directory.resolve(entriesFile.getFileName() + partial);
    try {
      Files.createDirectories(directory);
      ArchiveIndex done =
          tx.execute(
              status -> {
                ArchiveIndex index =
                    archiveInTransaction(
                        month, transfersPartial, entriesPartial, transfersFile, entriesFile);
                // In place before the commit: a failed commit leaves files without an index
                // (harmless, overwritten next time), never an index without its files.
                move(transfersPartial, transfersFile);
                move(entriesPartial, entriesFile);
                return index;
              });
      if (done == null) {
        throw new IllegalStateException("archive returned nothing");
      }
      return done;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      deleteQuietly(transfersPartial);
      deleteQuietly(entriesPartial);
    }
  }

  private static void move(Path from, Path to) {
    try {
      Files.move(
          from,
          to,
          java.nio.file.StandardCopyOption.REPLACE_EXISTING,
          java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private ArchiveIndex archiveInTransaction(
      YearMonth month,
      Path transfersFile,
      Path entriesFile,
      Path transfersFinal,
      Path entriesFinal) {
    lock();
    String day = month.atDay(1).toString();
    if (find(month).isPresent()) {
      throw problem(
          HttpStatus.CONFLICT, ALREADY_ARCHIVED, "Already archived", month + " is archived.");
    }
    String transfers = partition("ledger_transfer", month);
    String entries = partition("ledger_entry", month);
    if (!exists(transfers) || !exists(entries) || !hasRows(transfers)) {
      throw problem(
          HttpStatus.NOT_FOUND,
          MONTH_NOT_FOUND,
          "No such month",
          "The ledger has no transfers in " + month + ".");
    }
    // Writes into the month (imports) wait until the month is gone, then fail: it is archived.
    jdbc.sql("lock table " + transfers + ", " + entries + " in share mode").update();
    for (String older : olderPartitions(transfers)) {
      if (hasRows(older)) {
        throw problem(
            HttpStatus.CONFLICT,
            OUT_OF_ORDER,
            "Older month not archived",
            "Months are archived oldest first: "
                + older.substring("ledger_transfer_".length())
                + " still has transfers.");
      }
    }
    long open =
        jdbc.sql(
                "select count(*) from "
                    + transfers
                    + " h where h.kind = 'PENDING' and not exists (select 1 from"
                    + " ledger_transfer_id r where r.pending_id = h.id)")
            .query(Long.class)
            .single();
    if (open > 0) {
      throw problem(
          HttpStatus.CONFLICT,
          OPEN_HOLDS,
          "Open holds",
          month + " has " + open + " open hold(s); resolve them before archiving the month.");
    }
    long transferRows =
        copyOut(
            "copy (select "
                + TRANSFER_COLUMNS
                + " from "
                + transfers
                + " order by id) to stdout with (format csv)",
            transfersFile);
    long entryRows =
        copyOut(
            "copy (select "
                + ENTRY_COLUMNS
                + " from "
                + entries
                + " order by id) to stdout with (format csv)",
            entriesFile);
    readBack(transfersFile, transfers, TRANSFER_COLUMNS, transferRows);
    readBack(entriesFile, entries, ENTRY_COLUMNS, entryRows);
    jdbc.sql(
            "insert into ledger_archive (month, transfers, entries, first_transfer_id,"
                + " last_transfer_id, first_created_at, last_created_at, transfers_file,"
                + " transfers_sha256, entries_file, entries_sha256, archived_at)"
                + " select ?::date, ?, ?, min(id::text collate \"C\")::uuid, max(id::text collate \"C\")::uuid,"
                + " min(created_at), max(created_at), ?, ?, ?, ?, ? from "
                + transfers)
        .params(
            day,
            transferRows,
            entryRows,
            transfersFinal.toAbsolutePath().toString(),
            sha256(transfersFile),
            entriesFinal.toAbsolutePath().toString(),
            sha256(entriesFile),
            clock.instant().atOffset(ZoneOffset.UTC))
        .update();
    jdbc.sql(
            "insert into ledger_archive_batch (month, batch_id, transfers, entries, hash)"
                + " select ?::date, t.batch_id, count(*),"
                + " (select count(*) from "
                + entries
                + " e join "
                + transfers
                + " x on x.id = e.transfer_id where x.batch_id = t.batch_id), c.hash"
                + " from "
                + transfers
                + " t join ledger_chain c on c.batch_id = t.batch_id group by t.batch_id, c.hash")
        .param(day)
        .update();
    jdbc.sql(
            "insert into ledger_archive_account (month, account_id, debits, credits)"
                + " select ?::date, a.id,"
                + " coalesce((select sum(amount) from "
                + entries
                + " e where e.account_id = a.id and e.direction = 'D'), 0),"
                + " coalesce((select sum(amount) from "
                + entries
                + " e where e.account_id = a.id and e.direction = 'C'), 0)"
                + " from (select debit_account_id as id from "
                + transfers
                + " union select credit_account_id from "
                + transfers
                + ") a")
        .param(day)
        .update();
    // Entries first: no entry is ever left without its transfer.
    jdbc.sql("alter table ledger_entry detach partition " + entries).update();
    jdbc.sql("drop table " + entries).update();
    jdbc.sql("alter table ledger_transfer detach partition " + transfers).update();
    jdbc.sql("drop table " + transfers).update();
    return find(month).orElseThrow();
  }

  /**
   * Restores {@code month} from its files: SHA-256 and counts checked against the index, rows
   * copied back through the database's checks, the whole chain verified, all in one transaction.
   */
  public Restored restore(YearMonth month) {
    // Checked first, so that a refused restore creates nothing; checked again under the lock.
    restorable(month);
    // The partitions in a transaction of their own: creating one locks the parent tables until
    // commit, and the restore's transaction (rows, checks, a full verify) must not hold that lock.
    // Empty partitions of a month still archived change nothing: writers still refuse the month.
    tx.executeWithoutResult(
        status ->
            jdbc.sql("select ledger_create_month(?::timestamptz)")
                .param(month.atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC).toString())
                .query(Boolean.class)
                .single());
    Restored done = tx.execute(status -> restoreInTransaction(month));
    if (done == null) {
      throw new IllegalStateException("restore returned nothing");
    }
    return done;
  }

  private Restored restoreInTransaction(YearMonth month) {
    lock();
    ArchiveIndex index = restorable(month);
    jdbc.sql("delete from ledger_archive where month = ?::date")
        .param(month.atDay(1).toString())
        .update();
    long transferRows;
    long entryRows;
    try {
      // Into scratch tables first, then both tables in one statement: since V9 a transfer that
      // posts must get its entries from the statement that inserts it (the set-based double-entry
      // check runs when the statement ends), so two COPYs straight into the parents would fail.
      transferRows =
          copyIntoScratch(
              "ledger_restore_transfer",
              "ledger_transfer",
              TRANSFER_COLUMNS,
              Path.of(index.transfersFile()));
      entryRows =
          copyIntoScratch(
              "ledger_restore_entry", "ledger_entry", ENTRY_COLUMNS, Path.of(index.entriesFile()));
      jdbc.sql(
              "with t as (insert into ledger_transfer ("
                  + TRANSFER_COLUMNS
                  + ") select "
                  + TRANSFER_COLUMNS
                  + " from ledger_restore_transfer)"
                  + " insert into ledger_entry ("
                  + ENTRY_COLUMNS
                  + ") select "
                  + ENTRY_COLUMNS
                  + " from ledger_restore_entry")
          .update();
      // The deferred check (reversal sums) now, so that a failure is answered here.
      jdbc.sql("set constraints all immediate").update();
    } catch (RuntimeException e) {
      throw corrupt(month + " could not be restored from its files: " + rootMessage(e));
    }
    if (transferRows != index.transfers() || entryRows != index.entries()) {
      throw corrupt(
          "The files of "
              + month
              + " hold "
              + transferRows
              + " transfers and "
              + entryRows
              + " entries, the index says "
              + index.transfers()
              + " and "
              + index.entries()
              + ".");
    }
    return new Restored(index, verifyOrRefuse("with " + month + " restored; nothing is restored"));
  }

  /** The index of an archived month that may be restored now, its files matching their hashes. */
  private ArchiveIndex restorable(YearMonth month) {
    ArchiveIndex index =
        find(month)
            .orElseThrow(
                () ->
                    problem(
                        HttpStatus.NOT_FOUND,
                        NOT_ARCHIVED,
                        "Not archived",
                        month + " is not archived."));
    Optional<String> newer =
        jdbc.sql(
                "select to_char(month, 'YYYY-MM') from ledger_archive where month > ?::date"
                    + " order by month desc limit 1")
            .param(month.atDay(1).toString())
            .query(String.class)
            .optional();
    if (newer.isPresent()) {
      throw problem(
          HttpStatus.CONFLICT,
          OUT_OF_ORDER,
          "Newer month archived",
          "Months are restored newest first: restore " + newer.get() + " before " + month + ".");
    }
    Path transfersFile = Path.of(index.transfersFile());
    Path entriesFile = Path.of(index.entriesFile());
    checkSha(transfersFile, index.transfersSha256());
    checkSha(entriesFile, index.entriesSha256());
    return index;
  }

  /** The whole chain verified (in the current transaction, if any), or a 409 problem. */
  private Verification verifyOrRefuse(String consequence) {
    Verification v = verifier.verify();
    if (!v.ok()) {
      throw problem(
          HttpStatus.CONFLICT,
          CHAIN_BROKEN,
          "Chain does not verify",
          "The chain does not verify (" + v.reason() + "), " + consequence + ".");
    }
    return v;
  }

  private void lock() {
    jdbc.sql("select pg_advisory_xact_lock(?)").param(ARCHIVE_LOCK_KEY).query((rs, i) -> 1).list();
  }

  static String partition(String table, YearMonth month) {
    return String.format("%s_y%04dm%02d", table, month.getYear(), month.getMonthValue());
  }

  private boolean exists(String table) {
    return jdbc.sql("select to_regclass(?) is not null").param(table).query(Boolean.class).single();
  }

  private boolean hasRows(String table) {
    return jdbc.sql("select exists (select 1 from " + table + ")").query(Boolean.class).single();
  }

  /** The transfer partitions of months before the one named {@code partition}. */
  private List<String> olderPartitions(String partition) {
    return jdbc.sql(
            """
            select c.relname from pg_inherits i
              join pg_class c on c.oid = i.inhrelid
             where i.inhparent = 'ledger_transfer'::regclass and c.relname < ?
             order by c.relname""")
        .param(partition)
        .query(String.class)
        .list();
  }

  /** COPY out to a gzip file; returns the rows written. */
  private long copyOut(String sql, Path file) {
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file), 1 << 16)) {
      return copy().copyOut(sql, out);
    } catch (IOException | SQLException e) {
      throw new IllegalStateException("archive: could not write " + file + ": " + e, e);
    }
  }

  /** COPY in from a gzip file; returns the rows read. */
  private long copyIn(String sql, Path file) {
    try (InputStream in = new GZIPInputStream(Files.newInputStream(file), 1 << 16)) {
      return copy().copyIn(sql, in);
    } catch (IOException | SQLException e) {
      throw new IllegalStateException("archive: could not read " + file + ": " + e, e);
    }
  }

  /**
   * Reads the file back into a scratch table and compares it with the partition row for row (either
   * way, duplicates counted), so that what is dropped is exactly what the file restores.
   */
  private void readBack(Path file, String partition, String columns, long rows) {
    String scratch = "ledger_archive_check";
    jdbc.sql("drop table if exists " + scratch).update();
    long read = copyIntoScratch(scratch, partition, columns, file);
    long differing =
        jdbc.sql(
                "select count(*) from ((select "
                    + columns
                    + " from "
                    + partition
                    + " except all select * from "
                    + scratch
                    + ") union all (select * from "
                    + scratch
                    + " except all select "
                    + columns
                    + " from "
                    + partition
                    + ")) d")
            .query(Long.class)
            .single();
    if (read != rows || differing != 0) {
      throw new IllegalStateException(
          "archive: "
              + file
              + " read back "
              + read
              + " rows of "
              + rows
              + ", "
              + differing
              + " differing; nothing archived");
    }
    jdbc.sql("drop table " + scratch).update();
  }

  /** COPY from a gzip file into a new scratch table shaped like {@code table}; returns the rows. */
  private long copyIntoScratch(String scratch, String table, String columns, Path file) {
    jdbc.sql(
            "create temporary table "
                + scratch
                + " on commit drop as select "
                + columns
                + " from "
                + table
                + " limit 0")
        .update();
    return copyIn("copy " + scratch + " (" + columns + ") from stdin with (format csv)", file);
  }

  private CopyManager copy() throws SQLException {
    // The transaction's own connection, so that COPY sees and locks what the transaction does.
    Connection connection = DataSourceUtils.getConnection(dataSource);
    return connection.unwrap(PGConnection.class).getCopyAPI();
  }

  private void checkSha(Path file, String expected) {
    String actual;
    try {
      actual = sha256Hex(file);
    } catch (UncheckedIOException e) {
      throw corrupt("The archive file " + file + " cannot be read: " + e.getCause().getMessage());
    }
    if (!actual.equals(expected)) {
      throw corrupt(
          "The archive file "
              + file
              + " has SHA-256 "
              + actual
              + ", the index says "
              + expected
              + "; nothing restored.");
    }
  }

  private static byte[] sha256(Path file) {
    return HexFormat.of().parseHex(sha256Hex(file));
  }

  static String sha256Hex(Path file) {
    try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest())) {
      MessageDigest md = ((DigestInputStream) in).getMessageDigest();
      in.transferTo(OutputStream.nullOutputStream());
      return HexFormat.of().formatHex(md.digest());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static MessageDigest digest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      // best effort: an orphan file without an index row is not an archive
    }
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null) {
      t = t.getCause();
    }
    return String.valueOf(t.getMessage());
  }

  private static ProblemException corrupt(String detail) {
    return problem(HttpStatus.CONFLICT, CORRUPT, "Archive does not match its index", detail);
  }

  private static ProblemException invalid(String detail) {
    return ProblemException.badRequest(ProblemTypes.VALIDATION, "Invalid parameter", detail);
  }

  private static ProblemException problem(
      HttpStatus status, URI type, String title, String detail) {
    return new ProblemException(status, type, title, detail);
  }

  private static ArchiveIndex index(ResultSet rs, int row) throws SQLException {
    return new ArchiveIndex(
        rs.getString("month").substring(0, 7),
        rs.getLong("transfers"),
        rs.getLong("entries"),
        rs.getObject("first_transfer_id", UUID.class),
        rs.getObject("last_transfer_id", UUID.class),
        instant(rs, "first_created_at"),
        instant(rs, "last_created_at"),
        rs.getString("transfers_file"),
        HexFormat.of().formatHex(rs.getBytes("transfers_sha256")),
        rs.getString("entries_file"),
        HexFormat.of().formatHex(rs.getBytes("entries_sha256")),
        java.util.Objects.requireNonNull(instant(rs, "archived_at")));
  }

  private static @Nullable Instant instant(ResultSet rs, String column) throws SQLException {
    OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
    return t == null ? null : t.toInstant();
  }
}
