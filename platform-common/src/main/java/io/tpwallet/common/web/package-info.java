@NullMarked
package io.tpwallet.common.web;

import org.jspecify.annotations.NullMarked;
