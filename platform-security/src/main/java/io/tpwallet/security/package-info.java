/**
 * The one definition of a valid access token, shared by every resource server of the platform (the
 * reactive gateway, routing-service and account-service): RFC 9068 {@code at+jwt} tokens signed
 * ES256 by account-service.
 */
@NullMarked
package io.tpwallet.security;

import org.jspecify.annotations.NullMarked;
