/** Curve arithmetic, hash functions and byte helpers behind the FROST ciphersuites. */
@NullMarked
package io.tpwallet.signing.frost.internal;

import org.jspecify.annotations.NullMarked;
