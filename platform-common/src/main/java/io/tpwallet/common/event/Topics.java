package io.tpwallet.common.event;

/**
 * The Kafka topics services talk over, {@code tpw.<domain>.<event>.v1}. Each carries CloudEvents
 * whose {@code type} is the topic name without the version.
 */
public final class Topics {

  public static final String PAYMENT_CREATED = "tpw.payment.created.v1";
  public static final String RISK_DECIDED = "tpw.risk.decided.v1";
  public static final String LEDGER_TRANSFER_REQUESTED = "tpw.ledger.transfer-requested.v1";
  public static final String LEDGER_TRANSFER_POSTED = "tpw.ledger.transfer-posted.v1";
  public static final String LEDGER_TRANSFER_REJECTED = "tpw.ledger.transfer-rejected.v1";

  private Topics() {}

  /** The CloudEvent type for a topic: the topic without its version suffix. */
  public static String typeOf(String topic) {
    return topic.substring(0, topic.lastIndexOf('.'));
  }
}
