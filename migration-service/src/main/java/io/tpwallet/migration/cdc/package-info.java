/**
 * Change data capture from the legacy database with the Debezium embedded (async) engine:
 * consistent snapshot, then streaming; offsets kept in the migration database so that a restarted
 * job resumes, and a check that the replication slot still holds what the stored offset needs.
 */
@NullMarked
package io.tpwallet.migration.cdc;

import org.jspecify.annotations.NullMarked;
