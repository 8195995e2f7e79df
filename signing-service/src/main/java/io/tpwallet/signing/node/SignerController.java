package io.tpwallet.signing.node;

import io.tpwallet.signing.wire.Wire;
import java.util.List;
import org.springframework.context.annotation.Profile;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** The node API the coordinator calls: DKG in three steps, then two-round signing. */
@RestController
@Profile("signer")
@RequestMapping("/v1/node")
class SignerController {

  private final SignerNode node;
  private final SigningAudit audit;

  SignerController(SignerNode node, SigningAudit audit) {
    this.node = node;
    this.audit = audit;
  }

  @PostMapping("/dkg/round1")
  Wire.Round1 dkgRound1(@RequestBody Wire.DkgRound1Request request) {
    return node.dkgRound1(request);
  }

  @PostMapping("/dkg/round2")
  Wire.DkgRound2Response dkgRound2(@RequestBody Wire.DkgRound2Request request) {
    return node.dkgRound2(request);
  }

  @PostMapping("/dkg/finish")
  Wire.DkgFinishResponse dkgFinish(@RequestBody Wire.DkgFinishRequest request) {
    return node.dkgFinish(request);
  }

  @PostMapping("/sign/round1")
  Wire.CommitResponse commit(@RequestBody Wire.CommitRequest request) {
    return node.commit(request);
  }

  @PostMapping("/sign/round2")
  Wire.SignResponse sign(@RequestBody Wire.SignRequest request) {
    return node.sign(request);
  }

  /** Round one for several signatures of one key: that many fresh single-use sessions. */
  @PostMapping("/sign/round1-batch")
  Wire.CommitBatchResponse commitBatch(@RequestBody Wire.CommitBatchRequest request) {
    return node.commitBatch(request);
  }

  /** Round two for several signatures: one result per item, their decisions in one commit. */
  @PostMapping("/sign/round2-batch")
  Wire.SignBatchResponse signBatch(@RequestBody Wire.SignBatchRequest request) {
    return node.signBatch(request);
  }

  @PostMapping("/refresh/round1")
  Wire.RefreshRound1 refreshRound1(@RequestBody Wire.RefreshRound1Request request) {
    return node.refreshRound1(request);
  }

  @PostMapping("/refresh/round2")
  Wire.DkgRound2Response refreshRound2(@RequestBody Wire.RefreshRound2Request request) {
    return node.refreshRound2(request);
  }

  @PostMapping("/refresh/finish")
  Wire.DkgFinishResponse refreshFinish(@RequestBody Wire.RefreshFinishRequest request) {
    return node.refreshFinish(request);
  }

  @PostMapping("/refresh/commit")
  Wire.RefreshEndResponse refreshCommit(@RequestBody Wire.RefreshEndRequest request) {
    return node.refreshCommit(request);
  }

  @PostMapping("/refresh/abort")
  Wire.RefreshEndResponse refreshAbort(@RequestBody Wire.RefreshEndRequest request) {
    return node.refreshAbort(request);
  }

  /** This node's own record of its decisions on a key, newest first. */
  @GetMapping("/keys/{keyId}/audit")
  List<SigningAudit.Entry> audit(@PathVariable String keyId) {
    return audit.recent(keyId, 100);
  }
}
