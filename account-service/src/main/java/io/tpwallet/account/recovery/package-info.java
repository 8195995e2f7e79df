/**
 * Social recovery of a login (guardians, M-of-N approval, a delay the owner can cancel within) and
 * the notices customers get about it.
 */
@NullMarked
package io.tpwallet.account.recovery;

import org.jspecify.annotations.NullMarked;
