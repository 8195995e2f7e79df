package io.tpwallet.signing.vault;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * SoftHSM2 tokens made by the test itself: writes the configuration that {@code SOFTHSM2_CONF} (set
 * by the pom for the test JVM) points at, with a token directory of its own, and initialises fresh
 * tokens with {@code softhsm2-util}. SoftHSM reads its token directory when a JVM first loads it,
 * so a JVM makes all the tokens it needs in one call, before opening any.
 */
public final class TestSoftHsm {

  public static final Path LIBRARY = Path.of("/usr/lib/softhsm/libsofthsm2.so");
  public static final String PIN = "4711-user";
  private static final Pattern SLOT = Pattern.compile("reassigned to slot (\\d+)");

  /** A token: its slot and label. */
  public record Token(long slot, String label) {}

  private TestSoftHsm() {}

  public static synchronized List<Token> createTokens(int count) {
    String conf = System.getenv("SOFTHSM2_CONF");
    if (conf == null) {
      throw new IllegalStateException("SOFTHSM2_CONF is not set for this JVM (see the pom)");
    }
    try {
      Path config = Path.of(conf);
      Path tokens = config.resolveSibling("tokens-" + UUID.randomUUID());
      Files.createDirectories(tokens);
      Files.writeString(
          config,
          "directories.tokendir = "
              + tokens
              + "\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n",
          StandardCharsets.UTF_8);
      List<Token> made = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        String label = "tpw-test-" + i;
        String out =
            run(
                "softhsm2-util",
                "--init-token",
                "--free",
                "--label",
                label,
                "--so-pin",
                "4711-so",
                "--pin",
                PIN);
        Matcher m = SLOT.matcher(out);
        if (!m.find()) {
          throw new IllegalStateException("softhsm2-util said: " + out);
        }
        made.add(new Token(Long.parseLong(m.group(1)), label));
      }
      return made;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String run(String... command) throws IOException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    try {
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException(String.join(" ", command) + " timed out");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
    }
    return out;
  }
}
