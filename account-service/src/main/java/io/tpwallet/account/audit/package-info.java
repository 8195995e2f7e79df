/** The append-only audit log: who did what, when, from where, and how it ended. */
@NullMarked
package io.tpwallet.account.audit;

import org.jspecify.annotations.NullMarked;
