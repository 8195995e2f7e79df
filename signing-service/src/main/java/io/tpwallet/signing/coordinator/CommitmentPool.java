package io.tpwallet.signing.coordinator;

import io.tpwallet.signing.wire.Wire;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * Round-one commitments that the nodes handed out ahead (FROST preprocessing, RFC 9591 §5.1), so
 * that a batch can start at round two. Per node, key and share generation the pool holds at most
 * {@code perKeyMax}, each for at most {@code ttl} (shorter than the node's own nonce lifetime, so a
 * commitment taken here is still held there unless the node restarted), and for at most {@code
 * slotsMax} (node, key) pairs in all. Taking removes: a commitment leaves the pool once, into one
 * package. The pool only saves an exchange; the nonce's single use is the node's to enforce (it
 * takes the session out of its memory when it signs and refuses a session it does not hold).
 */
final class CommitmentPool {

  private record Slot(int node, String keyId, @Nullable String refreshId) {}

  private record Pooled(Wire.CommitResponse session, Instant expiresAt) {}

  private final Map<Slot, ArrayDeque<Pooled>> slots = new ConcurrentHashMap<>();
  private final Clock clock;
  private final Duration ttl;
  private final int perKeyMax;
  private final int slotsMax;

  CommitmentPool(Clock clock, Duration ttl, int perKeyMax, int slotsMax) {
    if (perKeyMax < 0 || slotsMax < 1 || ttl.isNegative()) {
      throw new IllegalArgumentException("bad commitment pool bounds");
    }
    this.clock = clock;
    this.ttl = ttl;
    this.perKeyMax = perKeyMax;
    this.slotsMax = slotsMax;
  }

  /** {@code count} unexpired sessions of the node for the key, or none if it holds fewer. */
  List<Wire.CommitResponse> take(int node, String keyId, @Nullable String refreshId, int count) {
    ArrayDeque<Pooled> queue = slots.get(new Slot(node, keyId, refreshId));
    if (queue == null) {
      return List.of();
    }
    synchronized (queue) {
      dropExpired(queue);
      if (queue.size() < count) {
        return List.of();
      }
      List<Wire.CommitResponse> taken = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        taken.add(queue.pollFirst().session());
      }
      return taken;
    }
  }

  /** How many unexpired sessions the pool holds for the node and key. */
  int available(int node, String keyId, @Nullable String refreshId) {
    ArrayDeque<Pooled> queue = slots.get(new Slot(node, keyId, refreshId));
    if (queue == null) {
      return 0;
    }
    synchronized (queue) {
      dropExpired(queue);
      return queue.size();
    }
  }

  /** How many more the node may hand out for the key (what a round two asks for ahead). */
  int wanted(int node, String keyId, @Nullable String refreshId) {
    return Math.max(0, perKeyMax - available(node, keyId, refreshId));
  }

  /** Keeps what fits; the rest is never used and expires at the node. */
  void add(int node, String keyId, @Nullable String refreshId, List<Wire.CommitResponse> made) {
    if (made.isEmpty() || perKeyMax == 0) {
      return;
    }
    Slot slot = new Slot(node, keyId, refreshId);
    ArrayDeque<Pooled> queue = slots.get(slot);
    if (queue == null) {
      if (slots.size() >= slotsMax) {
        slots.values().removeIf(q -> available(q) == 0);
        if (slots.size() >= slotsMax) {
          return;
        }
      }
      queue = slots.computeIfAbsent(slot, s -> new ArrayDeque<>());
    }
    Instant expiresAt = clock.instant().plus(ttl);
    synchronized (queue) {
      dropExpired(queue);
      for (Wire.CommitResponse session : made) {
        if (queue.size() >= perKeyMax) {
          break;
        }
        queue.addLast(new Pooled(session, expiresAt));
      }
    }
  }

  /**
   * Forgets everything the node handed out: it refused one (it restarted, or expired it early) or
   * it is unreachable, so none of its pooled sessions can be relied on.
   */
  void drop(int node) {
    slots.keySet().removeIf(s -> s.node() == node);
  }

  private int available(ArrayDeque<Pooled> queue) {
    synchronized (queue) {
      dropExpired(queue);
      return queue.size();
    }
  }

  private void dropExpired(ArrayDeque<Pooled> queue) {
    Instant now = clock.instant();
    while (!queue.isEmpty() && !queue.peekFirst().expiresAt().isAfter(now)) {
      queue.pollFirst();
    }
  }
}
