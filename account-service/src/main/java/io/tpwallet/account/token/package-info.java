/** Access tokens: issuing them, and the OAuth2 client-credentials grant for API clients. */
@NullMarked
package io.tpwallet.account.token;

import org.jspecify.annotations.NullMarked;
