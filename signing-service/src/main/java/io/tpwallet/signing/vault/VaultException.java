package io.tpwallet.signing.vault;

/** A share could not be sealed or opened: token unavailable, wrong key, or tampered data. */
public final class VaultException extends RuntimeException {

  public VaultException(String message) {
    super(message);
  }

  public VaultException(String message, Throwable cause) {
    super(message, cause);
  }
}
