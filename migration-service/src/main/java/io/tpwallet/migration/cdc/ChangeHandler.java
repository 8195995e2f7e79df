package io.tpwallet.migration.cdc;

import java.util.List;

/**
 * Applies one batch of changes. It returns only after the batch's effects are durable; the engine
 * then stores the batch's offsets. A crash in between replays the batch, so applying must be
 * idempotent.
 */
@FunctionalInterface
public interface ChangeHandler {

  void handle(List<ChangeEvent> batch) throws Exception;
}
