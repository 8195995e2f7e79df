/** The ledger load driver: phases, latency statistics and the pgbench reference. */
@NullMarked
package io.tpwallet.ledgerbench;

import org.jspecify.annotations.NullMarked;
