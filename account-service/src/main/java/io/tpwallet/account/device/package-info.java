/** Devices (public keys), sessions, user login and device-bound refresh tokens. */
@NullMarked
package io.tpwallet.account.device;

import org.jspecify.annotations.NullMarked;
