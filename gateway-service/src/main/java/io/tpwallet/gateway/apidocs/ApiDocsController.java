package io.tpwallet.gateway.apidocs;

import java.util.List;
import java.util.Map;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /v3/api-docs}: the OpenAPI documents of the services behind the gateway, in the shape
 * of Swagger UI's {@code urls} setting, so that one Swagger UI (or any client) finds them all. Each
 * document is the service's own springdoc {@code /v3/api-docs}, routed through the gateway at
 * {@code /v3/api-docs/<name>} (application.yml, routes {@code docs-*}); the gateway does not merge
 * them into one, since their paths and schemas are each service's and may share names.
 */
@RestController
class ApiDocsController {

  /** A service's document: its name and where the gateway serves it. */
  record Document(String name, String url) {}

  static final List<Document> DOCUMENTS =
      List.of(
          new Document("payments", "/v3/api-docs/payments"),
          new Document("ledger", "/v3/api-docs/ledger"),
          new Document("accounts", "/v3/api-docs/accounts"));

  @GetMapping(path = "/v3/api-docs", produces = MediaType.APPLICATION_JSON_VALUE)
  Map<String, List<Document>> list() {
    return Map.of("urls", DOCUMENTS);
  }
}
