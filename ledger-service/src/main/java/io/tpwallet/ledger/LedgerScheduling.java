package io.tpwallet.ledger;

import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.EnableScheduling;

/** Runs the ledger's own jobs (hold expiry) on Spring's scheduler. */
@Configuration(proxyBeanMethods = false)
@EnableScheduling
class LedgerScheduling {}
