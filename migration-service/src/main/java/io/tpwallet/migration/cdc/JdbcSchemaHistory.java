package io.tpwallet.migration.cdc;

import io.debezium.config.Configuration;
import io.debezium.document.DocumentReader;
import io.debezium.document.DocumentWriter;
import io.debezium.relational.history.AbstractSchemaHistory;
import io.debezium.relational.history.HistoryRecord;
import io.debezium.relational.history.HistoryRecordComparator;
import io.debezium.relational.history.SchemaHistoryException;
import io.debezium.relational.history.SchemaHistoryListener;
import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * Keeps a binlog job's schema history in the migration database ({@code cdc_schema_history}, in
 * order, per job) next to its offsets, so that a job resumes with the table layouts it had wherever
 * the runner is restarted. The engine creates it by class name; it reads {@code
 * schema.history.internal.tpw.*} from the engine properties.
 */
public class JdbcSchemaHistory extends AbstractSchemaHistory {

  static final String URL = "schema.history.internal.tpw.url";
  static final String USER = "schema.history.internal.tpw.user";
  static final String PASSWORD = "schema.history.internal.tpw.password";
  static final String JOB = "schema.history.internal.tpw.job";

  private String url = "";
  private String user = "";
  private String password = "";
  private UUID job = new UUID(0, 0);

  @Override
  public void configure(
      Configuration config,
      HistoryRecordComparator comparator,
      SchemaHistoryListener listener,
      boolean useCatalogBeforeSchema) {
    super.configure(config, comparator, listener, useCatalogBeforeSchema);
    url = config.getString(URL);
    user = config.getString(USER, "");
    password = config.getString(PASSWORD, "");
    job = UUID.fromString(config.getString(JOB));
  }

  @Override
  protected void storeRecord(HistoryRecord record) throws SchemaHistoryException {
    try (Connection c = connect();
        var insert =
            c.prepareStatement(
                "insert into cdc_schema_history (job_id, record, recorded_at) values (?, ?, now())")) {
      insert.setObject(1, job);
      insert.setString(2, DocumentWriter.defaultWriter().write(record.document()));
      insert.executeUpdate();
    } catch (SQLException | IOException e) {
      throw new SchemaHistoryException("could not store the schema history of job " + job, e);
    }
  }

  @Override
  protected void recoverRecords(Consumer<HistoryRecord> records) {
    try (Connection c = connect();
        var select =
            c.prepareStatement(
                "select record from cdc_schema_history where job_id = ? order by seq")) {
      select.setObject(1, job);
      try (var rs = select.executeQuery()) {
        while (rs.next()) {
          records.accept(new HistoryRecord(DocumentReader.defaultReader().read(rs.getString(1))));
        }
      }
    } catch (SQLException | IOException e) {
      throw new SchemaHistoryException("could not read the schema history of job " + job, e);
    }
  }

  @Override
  public boolean exists() {
    try (Connection c = connect();
        var select =
            c.prepareStatement(
                "select exists (select 1 from cdc_schema_history where job_id = ?)")) {
      select.setObject(1, job);
      try (var rs = select.executeQuery()) {
        return rs.next() && rs.getBoolean(1);
      }
    } catch (SQLException e) {
      throw new SchemaHistoryException("could not read the schema history of job " + job, e);
    }
  }

  /** The table is the migration database's own (Flyway): always there. */
  @Override
  public boolean storageExists() {
    return true;
  }

  private Connection connect() throws SQLException {
    return DriverManager.getConnection(url, user, password);
  }

  @Override
  public String toString() {
    return "cdc_schema_history of job " + job;
  }
}
