package io.tpwallet.signing.vault;

import java.util.Optional;

/** Where sealed shares are kept: the node's own database in production, a map in tests. */
public interface ShareStore {

  /** A sealed share as stored: which KEK sealed it and the sealed bytes. */
  record SealedShare(String kekId, byte[] sealed) {}

  /** Stores once; a second share for the same key and participant is refused. */
  void insert(String keyId, int participant, SealedShare share);

  Optional<SealedShare> find(String keyId, int participant);

  /** Removes a share (after a refresh replaced it, or an aborted refresh's pending one). */
  void delete(String keyId, int participant);
}
