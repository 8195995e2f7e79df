package io.tpwallet.migration.cdc;

import io.debezium.embedded.Connect;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.RecordChangeEvent;
import io.debezium.engine.format.ChangeEventFormat;
import io.tpwallet.common.thread.DaemonThreads;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running Debezium embedded engine for one job: PostgreSQL via {@code pgoutput} (a publication
 * filtered to the job's tables, the job's own slot) or MariaDB/MySQL via the binlog (the job's own
 * server id, its schema history in the migration database); heartbeats, decimals as strings, the
 * initial consistent snapshot then streaming, offsets in the migration database. Stopping it
 * (pause) keeps the slot, so that the legacy database keeps the WAL until the job resumes.
 */
public final class CdcEngine implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(CdcEngine.class);

  /** Rows per batch handed to the handler: one database transaction on the migration side. */
  public static final int BATCH_ROWS_MAX = 2_048;

  public static final Duration HEARTBEAT_INTERVAL = Duration.ofSeconds(1);
  private static final Pattern BINLOG_SEQUENCE = Pattern.compile("\\.(\\d+)$");
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

  /** Where the engine keeps its offsets: the migration database and the job id. */
  public record OffsetStore(String jdbcUrl, String user, String password, UUID jobId) {}

  /** Rows per chunk of an incremental snapshot (a resync): one batch at most. */
  static final int INCREMENTAL_CHUNK_ROWS = BATCH_ROWS_MAX;

  private final DebeziumEngine<RecordChangeEvent<SourceRecord>> engine;
  private final CdcSource source;
  private final ExecutorService executor;

  private CdcEngine(DebeziumEngine<RecordChangeEvent<SourceRecord>> engine, CdcSource source) {
    this.engine = engine;
    this.source = source;
    this.executor = Executors.newSingleThreadExecutor(DaemonThreads.named("cdc-engine"));
  }

  /**
   * Starts capturing {@code source}; {@code handler} gets each batch, {@code onStop} is told when
   * the engine stops, with the error if it failed.
   */
  public static CdcEngine start(
      CdcSource source,
      OffsetStore offsets,
      ChangeHandler handler,
      Consumer<@Nullable Throwable> onStop) {
    DebeziumEngine<RecordChangeEvent<SourceRecord>> engine =
        DebeziumEngine.create(ChangeEventFormat.of(Connect.class))
            .using(properties(source, offsets))
            .notifying(
                (List<RecordChangeEvent<SourceRecord>> records,
                    DebeziumEngine.RecordCommitter<RecordChangeEvent<SourceRecord>> committer) -> {
                  List<ChangeEvent> batch = new ArrayList<>(records.size());
                  for (var r : records) {
                    ChangeEvent e = toEvent(r.record());
                    if (e != null) {
                      batch.add(e);
                    }
                  }
                  try {
                    if (!batch.isEmpty()) {
                      handler.handle(batch);
                    }
                  } catch (InterruptedException e) {
                    throw e;
                  } catch (Exception e) {
                    // Without marking the batch processed its offsets are not stored: the engine
                    // stops and a restart replays the batch.
                    throw new org.apache.kafka.connect.errors.ConnectException(
                        "applying a batch of " + batch.size() + " changes failed", e);
                  }
                  for (var r : records) {
                    committer.markProcessed(r);
                  }
                  committer.markBatchFinished();
                })
            .using(
                (boolean success, String message, @Nullable Throwable error) -> {
                  if (success) {
                    log.info("CDC engine of job {} stopped: {}", offsets.jobId(), message);
                    onStop.accept(null);
                  } else {
                    log.warn("CDC engine of job {} failed: {}", offsets.jobId(), message, error);
                    onStop.accept(error != null ? error : new IllegalStateException(message));
                  }
                })
            .build();
    CdcEngine cdc = new CdcEngine(engine, source);
    cdc.executor.execute(engine);
    return cdc;
  }

  static Properties properties(CdcSource source, OffsetStore offsets) {
    Properties p = new Properties();
    p.setProperty("name", "legacy-" + offsets.jobId());
    p.setProperty("offset.storage", JdbcOffsetStore.class.getName());
    p.setProperty(JdbcOffsetStore.URL, offsets.jdbcUrl());
    p.setProperty(JdbcOffsetStore.USER, offsets.user());
    p.setProperty(JdbcOffsetStore.PASSWORD, offsets.password());
    p.setProperty(JdbcOffsetStore.JOB, offsets.jobId().toString());
    // Store offsets after every batch: the handler's effects are already durable then, and a
    // shorter replay after a crash costs less than the one row this writes.
    p.setProperty("offset.flush.interval.ms", "0");
    p.setProperty("database.hostname", source.host());
    p.setProperty("database.port", String.valueOf(source.port()));
    p.setProperty("database.user", source.user());
    p.setProperty("database.password", source.password());
    p.setProperty("topic.prefix", source.topicPrefix());
    p.setProperty("snapshot.mode", "initial");
    p.setProperty("decimal.handling.mode", "string");
    p.setProperty("heartbeat.interval.ms", String.valueOf(HEARTBEAT_INTERVAL.toMillis()));
    p.setProperty("tombstones.on.delete", "false");
    p.setProperty("max.batch.size", String.valueOf(BATCH_ROWS_MAX));
    p.setProperty("max.queue.size", String.valueOf(BATCH_ROWS_MAX * 4));
    p.setProperty("poll.interval.ms", "100");
    // A failed batch must stop the job rather than be retried behind its back.
    p.setProperty("errors.max.retries", "0");
    // Resyncs are incremental snapshots signalled in process (resync below), with read-only
    // watermarks: PostgreSQL's pg_current_snapshot(), the binlog's GTIDs. Nothing is written to
    // the legacy database, no signal table is needed there.
    p.setProperty("signal.enabled.channels", "in-process");
    p.setProperty("read.only", "true");
    p.setProperty("incremental.snapshot.chunk.size", String.valueOf(INCREMENTAL_CHUNK_ROWS));
    switch (source.kind()) {
      case POSTGRES -> postgres(p, source);
      case MARIADB -> mariaDb(p, source, offsets);
    }
    return p;
  }

  private static void postgres(Properties p, CdcSource source) {
    p.setProperty("connector.class", "io.debezium.connector.postgresql.PostgresConnector");
    p.setProperty("database.dbname", source.database());
    p.setProperty("plugin.name", "pgoutput");
    p.setProperty("slot.name", source.slotName());
    p.setProperty("publication.name", source.publicationName());
    p.setProperty("publication.autocreate.mode", "filtered");
    p.setProperty(
        "table.include.list",
        String.join(",", source.tables().stream().map(t -> "public." + t).toList()));
    // Fail, rather than stream from the slot's position, when the slot is ahead of the stored
    // offset (it was recreated or advanced behind the job's back): SlotCheck says so first.
    p.setProperty("offset.mismatch.strategy", "trust_offset");
    p.setProperty("time.precision.mode", "adaptive");
  }

  /**
   * The binlog reader: a replica with the job's own server id, the legacy database and tables only,
   * a snapshot under a short global read lock (taken only to read the binlog position), and the
   * schema history next to the offsets in the migration database. DATETIME(6) comes as epoch
   * microseconds of the wall-clock time, as PostgreSQL's timestamp does.
   */
  private static void mariaDb(Properties p, CdcSource source, OffsetStore offsets) {
    p.setProperty("connector.class", "io.debezium.connector.mariadb.MariaDbConnector");
    p.setProperty("database.server.id", String.valueOf(source.serverId()));
    p.setProperty("database.include.list", source.database());
    p.setProperty(
        "table.include.list",
        String.join(",", source.tables().stream().map(t -> source.database() + "." + t).toList()));
    p.setProperty("snapshot.locking.mode", "minimal");
    p.setProperty("include.schema.changes", "false");
    p.setProperty("database.ssl.mode", "disable");
    p.setProperty("time.precision.mode", "adaptive_time_microseconds");
    p.setProperty("schema.history.internal", JdbcSchemaHistory.class.getName());
    p.setProperty(JdbcSchemaHistory.URL, offsets.jdbcUrl());
    p.setProperty(JdbcSchemaHistory.USER, offsets.user());
    p.setProperty(JdbcSchemaHistory.PASSWORD, offsets.password());
    p.setProperty(JdbcSchemaHistory.JOB, offsets.jobId().toString());
    p.setProperty("schema.history.internal.store.only.captured.tables.ddl", "true");
    p.setProperty("schema.history.internal.store.only.captured.databases.ddl", "true");
  }

  static @Nullable ChangeEvent toEvent(SourceRecord record) {
    Object value = record.value();
    if (!(value instanceof Struct struct)) {
      return null;
    }
    if (record.topic().startsWith("__debezium-heartbeat")) {
      Long ts = struct.schema().field("ts_ms") == null ? null : struct.getInt64("ts_ms");
      return new ChangeEvent(
          ChangeEvent.Kind.HEARTBEAT,
          null,
          ChangeEvent.Op.NONE,
          // A heartbeat during the snapshot carries the snapshot flag in its offset.
          Boolean.TRUE.equals(record.sourceOffset().get("snapshot"))
              ? ChangeEvent.Snapshot.ROW
              : ChangeEvent.Snapshot.NONE,
          null,
          null,
          ts == null ? System.currentTimeMillis() : ts,
          position(record.sourceOffset()));
    }
    if (struct.schema().field("op") == null) {
      return null; // a schema change or transaction marker: nothing to migrate
    }
    Struct source = struct.getStruct("source");
    String snapshot =
        source.schema().field("snapshot") == null ? null : source.getString("snapshot");
    ChangeEvent.Snapshot marker =
        snapshot == null || snapshot.equals("false") || snapshot.equals("incremental")
            ? ChangeEvent.Snapshot.NONE
            : snapshot.equals("last") ? ChangeEvent.Snapshot.LAST : ChangeEvent.Snapshot.ROW;
    ChangeEvent.Op op =
        switch (struct.getString("op")) {
          case "r" -> ChangeEvent.Op.READ;
          case "c" -> ChangeEvent.Op.CREATE;
          case "u" -> ChangeEvent.Op.UPDATE;
          case "d" -> ChangeEvent.Op.DELETE;
          default -> ChangeEvent.Op.NONE;
        };
    return new ChangeEvent(
        ChangeEvent.Kind.ROW,
        source.getString("table"),
        op,
        marker,
        map(struct.getStruct("before")),
        map(struct.getStruct("after")),
        source.getInt64("ts_ms"),
        position(record.sourceOffset()));
  }

  /**
   * Where a change is in the source's log, as one number that grows in log order: PostgreSQL's LSN,
   * or for the binlog the file's sequence number times 2^32 plus the position in the file.
   */
  static long position(@Nullable Map<String, ?> offset) {
    if (offset == null) {
      return 0;
    }
    if (offset.get("lsn") instanceof Number n) {
      return n.longValue();
    }
    if (offset.get("file") instanceof String file && offset.get("pos") instanceof Number pos) {
      Matcher m = BINLOG_SEQUENCE.matcher(file);
      long sequence = m.find() ? Long.parseLong(m.group(1)) : 0;
      return (sequence << 32) | (pos.longValue() & 0xFFFFFFFFL);
    }
    return 0;
  }

  private static @Nullable Map<String, @Nullable Object> map(@Nullable Struct row) {
    if (row == null) {
      return null;
    }
    Map<String, @Nullable Object> out = new HashMap<>();
    for (Field f : row.schema().fields()) {
      out.put(f.name(), row.get(f));
    }
    return out;
  }

  /**
   * Asks the engine to read {@code table} again while it keeps streaming: an incremental snapshot,
   * chunk by chunk in primary-key order, each chunk's rows as READ events interleaved with the
   * streamed changes so that a row changed meanwhile arrives in its latest version. Its id is the
   * signal's id.
   */
  public void resync(String id, String table) {
    String collection =
        switch (source.kind()) {
          case POSTGRES -> "public." + table;
          case MARIADB -> source.database() + "." + table;
        };
    engine
        .getSignaler()
        .signal(
            new DebeziumEngine.Signal(
                id,
                "execute-snapshot",
                "{\"data-collections\":[\"" + collection + "\"],\"type\":\"incremental\"}",
                Map.of()));
  }

  /** Stops the engine; processed batches' offsets are stored, the slot stays. */
  @Override
  public void close() {
    try {
      engine.close();
    } catch (IOException e) {
      log.warn("closing the CDC engine failed", e);
    }
    executor.shutdown();
    try {
      if (!executor.awaitTermination(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        executor.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      executor.shutdownNow();
    }
  }
}
