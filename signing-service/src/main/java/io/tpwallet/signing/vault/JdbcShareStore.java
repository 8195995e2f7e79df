package io.tpwallet.signing.vault;

import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;

/** Sealed shares in the node's own database; rows are never updated. */
public final class JdbcShareStore implements ShareStore {

  private final JdbcClient jdbc;

  public JdbcShareStore(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  @Override
  public void insert(String keyId, int participant, SealedShare share) {
    jdbc.sql("insert into sealed_share (key_id, participant, kek_id, sealed) values (?, ?, ?, ?)")
        .params(keyId, participant, share.kekId(), share.sealed())
        .update();
  }

  @Override
  public Optional<SealedShare> find(String keyId, int participant) {
    return jdbc.sql("select kek_id, sealed from sealed_share where key_id = ? and participant = ?")
        .params(keyId, participant)
        .query((rs, n) -> new SealedShare(rs.getString(1), rs.getBytes(2)))
        .optional();
  }

  @Override
  public void delete(String keyId, int participant) {
    jdbc.sql("delete from sealed_share where key_id = ? and participant = ?")
        .params(keyId, participant)
        .update();
  }
}
