/**
 * The job runner: migration jobs (create, start, pause, resume, status), the applier that turns
 * each batch of legacy changes into ledger commands through the outbox in one transaction, and the
 * reconciliation report.
 */
@NullMarked
package io.tpwallet.migration.job;

import org.jspecify.annotations.NullMarked;
