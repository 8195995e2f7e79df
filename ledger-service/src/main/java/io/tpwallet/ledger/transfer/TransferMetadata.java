package io.tpwallet.ledger.transfer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The caller's metadata on a transfer: a JSON object of at most {@link #BYTES_MAX} bytes and {@link
 * #DEPTH_MAX} levels of nesting, kept as canonical text (object keys sorted at every level, no
 * blanks). The canonical text is what is stored, hashed into the chain and compared on a replay, so
 * the same object sent with its keys in another order is the same metadata.
 */
public final class TransferMetadata {

  /** The most bytes (UTF-8) the canonical text may have. */
  public static final int BYTES_MAX = 4096;

  /** The deepest nesting: the object itself is level 1, an object or array inside it level 2. */
  public static final int DEPTH_MAX = 4;

  private static final JsonMapper JSON = JsonMapper.builder().build();

  private TransferMetadata() {}

  /**
   * The canonical text of {@code node}, or null when there is none; the reason it is refused
   * otherwise.
   */
  static Result canonical(@Nullable JsonNode node) {
    if (node == null || node.isNull() || node.isMissingNode()) {
      return new Result(null, null);
    }
    if (!node.isObject()) {
      return new Result(null, "must be a JSON object");
    }
    if (depth(node) > DEPTH_MAX) {
      return new Result(null, "must nest at most " + DEPTH_MAX + " levels deep");
    }
    String text = JSON.writeValueAsString(sorted(node));
    int bytes = text.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > BYTES_MAX) {
      return new Result(null, "must be at most " + BYTES_MAX + " bytes, not " + bytes);
    }
    return new Result(text, null);
  }

  /** Either canonical text (null: no metadata) or the reason the metadata is refused. */
  record Result(@Nullable String text, @Nullable String refusal) {}

  private static int depth(JsonNode node) {
    int deepest = 0;
    if (node.isContainer()) {
      for (JsonNode child : node.values()) {
        deepest = Math.max(deepest, depth(child));
      }
      return deepest + 1;
    }
    return 0;
  }

  private static JsonNode sorted(JsonNode node) {
    if (node instanceof ObjectNode object) {
      Map<String, JsonNode> byKey = new TreeMap<>();
      for (Map.Entry<String, JsonNode> e : object.properties()) {
        byKey.put(e.getKey(), sorted(e.getValue()));
      }
      ObjectNode out = JsonNodeFactory.instance.objectNode();
      byKey.forEach(out::set);
      return out;
    }
    if (node instanceof ArrayNode array) {
      List<JsonNode> items = new ArrayList<>(array.size());
      array.values().forEach(v -> items.add(sorted(v)));
      return JsonNodeFactory.instance.arrayNode().addAll(items);
    }
    return node;
  }
}
