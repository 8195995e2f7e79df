/** REST edge of the platform: routes client requests to the services behind it. */
@NullMarked
package io.tpwallet.gateway;

import org.jspecify.annotations.NullMarked;
