package io.tpwallet.account.customer;

import java.net.URI;
import java.util.List;
import java.util.UUID;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** {@code /v1/accounts/...}: customers, merchants, enterprises and sub-accounts. */
@RestController
@RequestMapping("/v1/accounts")
class CustomerController {

  private final Customers customers;

  CustomerController(Customers customers) {
    this.customers = customers;
  }

  /** Sign-up of an individual (public): KYC tier L0, password login. 409 if the e-mail exists. */
  @PostMapping("/customers")
  ResponseEntity<Customer> signUp(@RequestBody Customers.NewHolder body) {
    return created(customers.signUp(body));
  }

  /** A merchant (operations only, {@code admin:accounts}). */
  @PostMapping("/merchants")
  ResponseEntity<Customer> merchant(@RequestBody Customers.NewHolder body) {
    return created(customers.createByOperator(CustomerKind.MERCHANT, body));
  }

  /** An enterprise (operations only, {@code admin:accounts}). */
  @PostMapping("/enterprises")
  ResponseEntity<Customer> enterprise(@RequestBody Customers.NewHolder body) {
    return created(customers.createByOperator(CustomerKind.ENTERPRISE, body));
  }

  /** A sub-account with its own limits, by the enterprise (or operations). */
  @PostMapping("/enterprises/{id}/sub-accounts")
  ResponseEntity<Customer> subAccount(
      @PathVariable UUID id, @RequestBody Customers.NewSubAccount body) {
    return created(customers.createSubAccount(id, body));
  }

  @GetMapping("/enterprises/{id}/sub-accounts")
  List<Customer> subAccounts(@PathVariable UUID id) {
    return customers.subAccounts(id);
  }

  /** One account holder; another holder's id answers 404. */
  @GetMapping("/customers/{id}")
  Customer get(@PathVariable UUID id) {
    return customers.get(id, "customer.read");
  }

  private static ResponseEntity<Customer> created(Customer customer) {
    return ResponseEntity.created(URI.create("/v1/accounts/customers/" + customer.id()))
        .body(customer);
  }
}
