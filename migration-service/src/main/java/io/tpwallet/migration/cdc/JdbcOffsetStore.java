package io.tpwallet.migration.cdc;

import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.runtime.WorkerConfig;
import org.apache.kafka.connect.storage.MemoryOffsetBackingStore;

/**
 * Keeps the engine's offsets in the migration database ({@code cdc_offset}, one row per offset key
 * and job) instead of a local file, so that a job resumes wherever the runner is restarted. The
 * engine creates it by class name and hands it the engine properties; it reads {@code
 * offset.storage.tpw.*} from them.
 */
public class JdbcOffsetStore extends MemoryOffsetBackingStore {

  static final String URL = "offset.storage.tpw.url";
  static final String USER = "offset.storage.tpw.user";
  static final String PASSWORD = "offset.storage.tpw.password";
  static final String JOB = "offset.storage.tpw.job";

  private String url = "";
  private String user = "";
  private String password = "";
  private String job = "";

  @Override
  public void configure(WorkerConfig config) {
    super.configure(config);
    Map<String, Object> originals = config.originals();
    url = String.valueOf(originals.get(URL));
    user = String.valueOf(originals.getOrDefault(USER, ""));
    password = String.valueOf(originals.getOrDefault(PASSWORD, ""));
    job = String.valueOf(originals.get(JOB));
  }

  @Override
  public synchronized void start() {
    super.start();
    try (Connection c = DriverManager.getConnection(url, user, password);
        var select =
            c.prepareStatement(
                "select offset_key, offset_value from cdc_offset where job_id = ?")) {
      select.setObject(1, java.util.UUID.fromString(job));
      Map<ByteBuffer, ByteBuffer> loaded = new HashMap<>();
      try (var rs = select.executeQuery()) {
        while (rs.next()) {
          byte[] value = rs.getBytes(2);
          loaded.put(
              ByteBuffer.wrap(rs.getBytes(1)), value == null ? null : ByteBuffer.wrap(value));
        }
      }
      data.putAll(loaded);
    } catch (SQLException e) {
      throw new ConnectException("could not read the stored offsets of job " + job, e);
    }
  }

  @Override
  protected void save() {
    try (Connection c = DriverManager.getConnection(url, user, password)) {
      c.setAutoCommit(false);
      try (var upsert =
          c.prepareStatement(
              """
              insert into cdc_offset (job_id, offset_key, offset_value, updated_at)
              values (?, ?, ?, now())
              on conflict (job_id, offset_key)
              do update set offset_value = excluded.offset_value, updated_at = now()""")) {
        for (var entry : data.entrySet()) {
          upsert.setObject(1, java.util.UUID.fromString(job));
          upsert.setBytes(2, bytes(entry.getKey()));
          upsert.setBytes(3, entry.getValue() == null ? null : bytes(entry.getValue()));
          upsert.addBatch();
        }
        upsert.executeBatch();
      }
      c.commit();
    } catch (SQLException e) {
      throw new ConnectException("could not store the offsets of job " + job, e);
    }
  }

  @Override
  public Set<Map<String, Object>> connectorPartitions(String connectorName) {
    // Only the Connect REST API asks for this; the embedded engine never does.
    return Set.of();
  }

  private static byte[] bytes(ByteBuffer buffer) {
    byte[] out = new byte[buffer.remaining()];
    buffer.duplicate().get(out);
    return out;
  }
}
