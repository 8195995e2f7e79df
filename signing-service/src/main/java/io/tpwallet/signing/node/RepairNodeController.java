package io.tpwallet.signing.node;

import io.tpwallet.signing.wire.RepairWire;
import io.tpwallet.signing.wire.Wire;
import org.springframework.context.annotation.Profile;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The node API of a share repair, called by the coordinator only: begin, the three steps of the
 * repairable scheme, a test signature with the repaired share, then commit or abort.
 */
@RestController
@Profile("signer")
@RequestMapping("/v1/node/repair")
class RepairNodeController {

  private final NodeRepair repair;

  RepairNodeController(NodeRepair repair) {
    this.repair = repair;
  }

  @PostMapping("/begin")
  RepairWire.Begun begin(@RequestBody RepairWire.Begin request) {
    return repair.begin(request);
  }

  @PostMapping("/step1")
  RepairWire.Step1Response step1(@RequestBody RepairWire.Step1Request request) {
    return repair.step1(request);
  }

  @PostMapping("/step2")
  RepairWire.Step2Response step2(@RequestBody RepairWire.Step2Request request) {
    return repair.step2(request);
  }

  @PostMapping("/step3")
  RepairWire.Step3Response step3(@RequestBody RepairWire.Step3Request request) {
    return repair.step3(request);
  }

  @PostMapping("/test/round1")
  Wire.CommitResponse testCommit(@RequestBody RepairWire.TestCommit request) {
    return repair.testCommit(request);
  }

  @PostMapping("/test/round2")
  Wire.SignResponse testSign(@RequestBody RepairWire.TestSign request) {
    return repair.testSign(request);
  }

  @PostMapping("/commit")
  RepairWire.Ended commit(@RequestBody RepairWire.End request) {
    return repair.commit(request);
  }

  @PostMapping("/abort")
  RepairWire.Ended abort(@RequestBody RepairWire.End request) {
    return repair.abort(request);
  }
}
