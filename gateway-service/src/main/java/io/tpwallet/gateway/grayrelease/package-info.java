/** Gray release: which users go to the new platform and which still to the legacy wallet. */
@NullMarked
package io.tpwallet.gateway.grayrelease;

import org.jspecify.annotations.NullMarked;
