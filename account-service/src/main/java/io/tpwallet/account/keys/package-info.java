/** The ES256 keys that sign access tokens, their rotation and the JWKS endpoint. */
@NullMarked
package io.tpwallet.account.keys;

import org.jspecify.annotations.NullMarked;
