package io.tpwallet.gateway.grayrelease;

import java.net.InetSocketAddress;
import java.security.Principal;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * {@code GET /admin/gray-release}: the current setting; {@code PUT}: replaces it (audited). With
 * authentication on both need the scope {@code admin:gateway}.
 */
@RestController
@ConditionalOnProperty(name = "tpw.gateway.gray-release.enabled", havingValue = "true")
@RequestMapping("/admin/gray-release")
class GrayReleaseController {

  /** The body of GET and PUT. */
  record Setting(
      @Nullable Integer percent, @Nullable Set<String> allow, @Nullable Set<String> deny) {}

  private final GrayReleaseStore store;

  GrayReleaseController(GrayReleaseStore store) {
    this.store = store;
  }

  @GetMapping
  Setting current() {
    GrayRelease release = store.current();
    return new Setting(release.percent(), release.allow(), release.deny());
  }

  @PutMapping
  Mono<Setting> change(@RequestBody Setting setting, ServerWebExchange exchange) {
    if (setting.percent() == null) {
      return Mono.error(new ResponseStatusException(HttpStatus.BAD_REQUEST, "percent is required"));
    }
    GrayRelease next;
    try {
      Set<String> allow = setting.allow() == null ? Set.of() : setting.allow();
      Set<String> deny = setting.deny() == null ? Set.of() : setting.deny();
      allow.forEach(GrayReleaseStore::checkListed);
      deny.forEach(GrayReleaseStore::checkListed);
      next = new GrayRelease(setting.percent(), allow, deny);
    } catch (IllegalArgumentException e) {
      return Mono.error(new ResponseStatusException(HttpStatus.BAD_REQUEST, e.getMessage()));
    }
    InetSocketAddress peer = exchange.getRequest().getRemoteAddress();
    String from = peer == null ? "unknown" : peer.getAddress().getHostAddress();
    return exchange
        .getPrincipal()
        .map(Principal::getName)
        .defaultIfEmpty("anonymous (authentication off)")
        .map(
            who -> {
              GrayRelease changed = store.change(next, who, from);
              return new Setting(changed.percent(), changed.allow(), changed.deny());
            });
  }
}
