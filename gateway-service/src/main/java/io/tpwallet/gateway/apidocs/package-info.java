/** The services' OpenAPI documents, listed and served through the gateway. */
@NullMarked
package io.tpwallet.gateway.apidocs;

import org.jspecify.annotations.NullMarked;
