/**
 * The migration of a legacy wallet, as account-service takes part in it: migration-service's
 * commands that import legacy users and wallets, its cutover record that makes them payable, and
 * the operations' view of a job's imported wallets.
 */
@NullMarked
package io.tpwallet.account.migration;

import org.jspecify.annotations.NullMarked;
