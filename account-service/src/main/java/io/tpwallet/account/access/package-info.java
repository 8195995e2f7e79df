/** Who is calling (from the verified access token), the scopes and the ownership checks. */
@NullMarked
package io.tpwallet.account.access;

import org.jspecify.annotations.NullMarked;
