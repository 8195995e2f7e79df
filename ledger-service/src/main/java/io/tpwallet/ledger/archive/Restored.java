package io.tpwallet.ledger.archive;

import io.tpwallet.ledger.chain.Verification;

/** A restored month: the index it was restored from, and the chain verified with its rows back. */
public record Restored(ArchiveIndex restored, Verification verification) {}
