package io.tpwallet.ledger.jdbc;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongConsumer;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.JdbcOperations;
import org.springframework.jdbc.core.PreparedStatementCallback;
import org.springframework.jdbc.core.SqlTypeValue;
import org.springframework.jdbc.core.StatementCreatorUtils;

/**
 * Statements sent to PostgreSQL in one round trip: pgjdbc sends the parts of a prepared statement
 * with several statements as one Parse/Bind/Execute sequence each, then one Sync, and reads the
 * results in order. On the group commit's hot path every round trip is time the worker waits with
 * its account locks held, so the statements of one step go together.
 *
 * <p>Each statement still runs on its own in the backend, one after the other: under READ COMMITTED
 * each takes its own snapshot when it starts, so a statement after a lock sees what the lock waited
 * for, as if it had been sent alone. The first statement that fails fails the whole call (the rest
 * are not run) and the transaction with it.
 *
 * <p>No parameter may be null: pgjdbc would send it untyped and describe the statement first, a
 * round trip of its own. Pass arrays (with null elements where needed) and typed values.
 *
 * <p>pgjdbc writes every statement before it reads any result. A statement whose result is large
 * (thousands of rows) followed by statements with large parameters could fill both sockets' buffers
 * and leave client and server each waiting for the other; a caller that cannot bound both builds
 * the pipeline {@linkplain #oneByOne one statement per round trip} instead.
 */
public final class Pipeline {

  /** Reads one row of a statement's result. */
  @FunctionalInterface
  public interface Row {
    void read(ResultSet rs) throws SQLException;
  }

  private record Step(@Nullable Row row, @Nullable LongConsumer count) {}

  private final JdbcOperations jdbc;
  private final StringBuilder sql = new StringBuilder();
  private final List<Object> params = new ArrayList<>();
  private final List<Step> steps = new ArrayList<>();

  private final boolean together;

  /** Statements sent together, in one round trip, by {@link #run}. */
  public Pipeline(JdbcOperations jdbc) {
    this(jdbc, true);
  }

  private Pipeline(JdbcOperations jdbc, boolean together) {
    this.jdbc = jdbc;
    this.together = together;
  }

  /** The same steps, each sent on its own as it is added: for large batches. */
  public static Pipeline oneByOne(JdbcOperations jdbc) {
    return new Pipeline(jdbc, false);
  }

  /** A statement that returns rows, each handed to {@code row} when the pipeline runs. */
  public Pipeline query(String statement, Row row, Object... values) {
    return add(statement, new Step(row, null), values);
  }

  /** A statement that returns no rows; {@code count} gets its row count when the pipeline runs. */
  public Pipeline update(String statement, LongConsumer count, Object... values) {
    return add(statement, new Step(null, count), values);
  }

  /** A statement that returns no rows and whose count does not matter. */
  public Pipeline update(String statement, Object... values) {
    return update(statement, n -> {}, values);
  }

  private Pipeline add(String statement, Step step, Object[] values) {
    if (statement.indexOf(';') >= 0) {
      throw new IllegalArgumentException("one statement per step: " + statement);
    }
    for (Object v : values) {
      if (v == null) {
        throw new IllegalArgumentException("a pipelined statement takes no null parameter");
      }
      params.add(v);
    }
    if (!steps.isEmpty()) {
      sql.append(";\n");
    }
    sql.append(statement);
    steps.add(step);
    if (!together) {
      run();
    }
    return this;
  }

  /** Sends every statement in one round trip and hands each its results, in order. */
  public void run() {
    if (steps.isEmpty()) {
      return;
    }
    jdbc.execute(sql.toString(), (PreparedStatementCallback<Void>) this::execute);
    sql.setLength(0);
    params.clear();
    steps.clear();
  }

  private @Nullable Void execute(PreparedStatement ps) throws SQLException {
    for (int i = 0; i < params.size(); i++) {
      StatementCreatorUtils.setParameterValue(ps, i + 1, SqlTypeValue.TYPE_UNKNOWN, params.get(i));
    }
    boolean rows = ps.execute();
    for (Step step : steps) {
      if (step.row() != null) {
        if (!rows) {
          throw new IllegalStateException("a pipelined query returned no rows: " + sql);
        }
        try (ResultSet rs = ps.getResultSet()) {
          while (rs.next()) {
            step.row().read(rs);
          }
        }
      } else {
        long count = rows ? -1 : ps.getLargeUpdateCount();
        if (count < 0) {
          throw new IllegalStateException("a pipelined update returned no count: " + sql);
        }
        step.count().accept(count);
      }
      rows = ps.getMoreResults();
    }
    return null;
  }
}
