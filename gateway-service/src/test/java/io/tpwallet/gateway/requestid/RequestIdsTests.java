package io.tpwallet.gateway.requestid;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RequestIdsTests {

  @Test
  void aWellFormedClientIdIsKept() {
    assertThat(RequestIds.acceptOrCreate("req-1")).isEqualTo("req-1");
    assertThat(RequestIds.acceptOrCreate("0190f3c2-7d1e-7abc-9def-0123456789ab:retry.2"))
        .isEqualTo("0190f3c2-7d1e-7abc-9def-0123456789ab:retry.2");
  }

  @Test
  void anIdOfExactlyTheMaximumLengthIsKeptAndOneLongerIsReplaced() {
    String atMax = "a".repeat(RequestIds.REQUEST_ID_LENGTH_MAX);
    String overMax = atMax + "a";

    assertThat(RequestIds.acceptOrCreate(atMax)).isEqualTo(atMax);
    assertThat(RequestIds.acceptOrCreate(overMax)).isNotEqualTo(overMax).hasSize(36);
  }

  @Test
  void missingEmptyOrUnsafeIdsAreReplacedByAUuid() {
    for (String offered : new String[] {null, "", "a b", "id\r\nX-Evil: 1", "ünïcode", "{json}"}) {
      assertThat(RequestIds.acceptOrCreate(offered))
          .as("offered %s", offered)
          .matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    }
  }
}
