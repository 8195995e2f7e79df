package io.tpwallet.signing.coordinator;

/** Recognises the node's problem types by their stable URIs. */
final class NodeClientTypes {

  private NodeClientTypes() {}

  static boolean isPolicyRefusal(NodeClient.Refused r) {
    return r.status == 403 && r.type.endsWith("/signing-policy-refused");
  }
}
