/** Who may call what: JWT resource server with per-route scopes, behind a switch. */
@NullMarked
package io.tpwallet.gateway.auth;

import org.jspecify.annotations.NullMarked;
