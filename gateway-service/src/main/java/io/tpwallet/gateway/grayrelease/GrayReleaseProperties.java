package io.tpwallet.gateway.grayrelease;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code tpw.gateway.gray-release.*}.
 *
 * @param enabled off by default: every request goes to the new platform, as before
 * @param routes the route ids whose users are split (the others always go to the new platform)
 * @param legacyUrl the legacy wallet's API; a legacy user's request goes there, path unchanged
 * @param userHeader with authentication off, the header naming the user (with it on, the verified
 *     token's subject decides and the header is ignored)
 * @param stateDir where the current setting ({@code gray-release.properties}) and the audit of its
 *     changes ({@code gray-release-audit.log}) are kept, so a restart keeps them
 */
@ConfigurationProperties("tpw.gateway.gray-release")
public record GrayReleaseProperties(
    @DefaultValue("false") boolean enabled,
    @DefaultValue("payments") List<String> routes,
    @DefaultValue("http://127.0.0.1:8090") URI legacyUrl,
    @DefaultValue("X-TPW-User") String userHeader,
    @DefaultValue("var/gateway") Path stateDir) {}
