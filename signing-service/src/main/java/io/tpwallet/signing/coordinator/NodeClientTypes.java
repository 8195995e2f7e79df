package io.tpwallet.signing.coordinator;

/** Recognises the node's problem types by their stable URIs. */
final class NodeClientTypes {

  private NodeClientTypes() {}

  static boolean isPolicyRefusal(NodeClient.Refused r) {
    return r.status == 403 && r.type.endsWith("/signing-policy-refused");
  }

  /**
   * The node no longer holds the session's nonces or the share generation asked for (its shares
   * were refreshed during the request): the request can start again from round one elsewhere.
   */
  static boolean isStartAgain(NodeClient.Refused r) {
    return r.status == 409
        && (r.type.endsWith("/signing-nonces-unavailable")
            || r.type.endsWith("/signing-shares-stale"));
  }
}
