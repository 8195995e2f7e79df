package io.tpwallet.signing.frost;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * What the coordinator sends every chosen signer for round two: the message and the commitment
 * list, which must be sorted by identifier with no identifier twice (RFC 9591 section 5.2).
 */
public final class SigningPackage {

  private final List<SigningCommitments> commitments;
  private final byte[] message;

  private SigningPackage(List<SigningCommitments> commitments, byte[] message) {
    this.commitments = commitments;
    this.message = message;
  }

  /** As received: refuses an empty, unsorted or duplicated commitment list. */
  public static SigningPackage of(List<SigningCommitments> commitments, byte[] message) {
    if (commitments.isEmpty()) {
      throw new FrostException(FrostException.Reason.INVALID_SIGNER_COUNT, "no commitments");
    }
    for (int i = 1; i < commitments.size(); i++) {
      int order = commitments.get(i - 1).identifier().compareTo(commitments.get(i).identifier());
      if (order == 0) {
        throw new FrostException(
            FrostException.Reason.DUPLICATE_IDENTIFIER,
            "commitment of signer " + commitments.get(i).identifier() + " appears twice",
            List.of(commitments.get(i).identifier()));
      }
      if (order > 0) {
        throw new FrostException(
            FrostException.Reason.UNSORTED_COMMITMENTS,
            "commitment list is not sorted by identifier");
      }
    }
    return new SigningPackage(List.copyOf(commitments), message.clone());
  }

  /** As a coordinator assembles it: sorts, then applies the same checks. */
  public static SigningPackage sorted(List<SigningCommitments> commitments, byte[] message) {
    List<SigningCommitments> copy = new ArrayList<>(commitments);
    copy.sort(Comparator.comparing(SigningCommitments::identifier));
    return of(copy, message);
  }

  public List<SigningCommitments> commitments() {
    return commitments;
  }

  public byte[] message() {
    return message.clone();
  }

  public List<Identifier> identifiers() {
    return commitments.stream().map(SigningCommitments::identifier).toList();
  }

  public Optional<SigningCommitments> commitmentOf(Identifier identifier) {
    return commitments.stream().filter(c -> c.identifier().equals(identifier)).findFirst();
  }
}
