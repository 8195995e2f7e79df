/** The service's own check of the access token (defence in depth behind the gateway). */
@NullMarked
package io.tpwallet.routing.security;

import org.jspecify.annotations.NullMarked;
