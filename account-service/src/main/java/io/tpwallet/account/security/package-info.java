/** Spring Security: this service checks every access token again (defence in depth). */
@NullMarked
package io.tpwallet.account.security;

import org.jspecify.annotations.NullMarked;
