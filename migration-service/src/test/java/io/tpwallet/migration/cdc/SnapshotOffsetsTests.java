package io.tpwallet.migration.cdc;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** When a restarted Debezium goes straight to streaming, read from the job's stored offsets. */
class SnapshotOffsetsTests {

  @Test
  void noStoredOffsetMeansASnapshotIsTaken() {
    assertThat(SnapshotOffsets.finished(List.of())).isFalse();
  }

  @Test
  void postgresIsFinishedOnlyOnceTheLastSnapshotRowIsStored() {
    assertThat(
            SnapshotOffsets.finished(
                List.of(
                    "{\"last_snapshot_record\":false,\"lsn\":24023128,\"txId\":754,"
                        + "\"ts_usec\":1764750000000000,\"snapshot\":true}")))
        .as("mid-snapshot")
        .isFalse();
    assertThat(
            SnapshotOffsets.finished(
                List.of(
                    "{\"last_snapshot_record\":true,\"lsn\":24023128,\"txId\":754,"
                        + "\"ts_usec\":1764750000000000,\"snapshot\":true}")))
        .as("the last snapshot row")
        .isTrue();
    assertThat(
            SnapshotOffsets.finished(
                List.of("{\"lsn_proc\":24100000,\"lsn\":24100000,\"txId\":760,\"ts_usec\":1}")))
        .as("streaming")
        .isTrue();
  }

  @Test
  void theBinlogIsFinishedOnlyAfterTheLastSnapshotRow() {
    assertThat(
            SnapshotOffsets.finished(
                List.of(
                    "{\"ts_sec\":1764750000,\"file\":\"mysql-bin.000003\",\"pos\":1234,"
                        + "\"gtids\":\"0-1-5\",\"snapshot\":\"INITIAL\"}")))
        .as("the last snapshot row still says INITIAL")
        .isFalse();
    assertThat(
            SnapshotOffsets.finished(
                List.of(
                    "{\"ts_sec\":1764750001,\"file\":\"mysql-bin.000003\",\"pos\":1400,"
                        + "\"gtids\":\"0-1-6\"}")))
        .as("the first binlog event after it")
        .isTrue();
    assertThat(
            SnapshotOffsets.finished(
                List.of(
                    "{\"file\":\"mysql-bin.000003\",\"pos\":1400,\"snapshot\":\"INCREMENTAL\"}")))
        .as("a resync is no initial snapshot")
        .isTrue();
  }

  @Test
  void aResyncIsStoredOnlyWhileAnOffsetCarriesItsTables() {
    assertThat(SnapshotOffsets.incrementalSnapshotStored(List.of())).isFalse();
    assertThat(
            SnapshotOffsets.incrementalSnapshotStored(
                List.of("{\"lsn_proc\":24100000,\"lsn\":24100000,\"txId\":760}")))
        .as("streaming, no resync")
        .isFalse();
    assertThat(
            SnapshotOffsets.incrementalSnapshotStored(
                List.of(
                    "{\"lsn\":24100000,\"incremental_snapshot_correlation_id\":\"a\","
                        + "\"incremental_snapshot_maximum_key\":\"aced0005\","
                        + "\"incremental_snapshot_collections\":"
                        + "\"[{\\\"incremental_snapshot_collections_id\\\":"
                        + "\\\"public.transactions\\\"}]\","
                        + "\"incremental_snapshot_primary_key\":\"aced0005\"}")))
        .as("a resync under way")
        .isTrue();
  }
}
