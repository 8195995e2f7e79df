package io.tpwallet.gateway.grayrelease;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The current {@link GrayRelease}, kept in a file so that a restart keeps it, and an append-only
 * audit of every change: when, who, from where, from what to what. A change is written to a
 * temporary file and moved over the old one, so a crash leaves the old or the new setting.
 */
public final class GrayReleaseStore {

  /** User ids in lists: no separators, so the files stay one line per value. */
  static final Pattern USER_ID = Pattern.compile("[A-Za-z0-9._:@-]{1,128}");

  private final Path stateFile;
  private final Path auditFile;
  private final Clock clock;
  private volatile GrayRelease current;

  public GrayReleaseStore(Path stateDir, Clock clock) {
    this.stateFile = stateDir.resolve("gray-release.properties");
    this.auditFile = stateDir.resolve("gray-release-audit.log");
    this.clock = clock;
    try {
      Files.createDirectories(stateDir);
      this.current = Files.exists(stateFile) ? read(stateFile) : GrayRelease.allLegacy();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the gray-release state in " + stateDir, e);
    }
  }

  public GrayRelease current() {
    return current;
  }

  /** Replaces the setting and audits the change; {@code who} and {@code from} are not checked. */
  public synchronized GrayRelease change(GrayRelease next, String who, String from) {
    for (String user : next.allow()) {
      checkListed(user);
    }
    for (String user : next.deny()) {
      checkListed(user);
    }
    GrayRelease before = current;
    try {
      Path temporary = stateFile.resolveSibling(stateFile.getFileName() + ".tmp");
      Files.writeString(temporary, describe(next, "\n") + "\n", StandardCharsets.UTF_8);
      Files.move(
          temporary,
          stateFile,
          StandardCopyOption.REPLACE_EXISTING,
          StandardCopyOption.ATOMIC_MOVE);
      String line =
          String.join(
                  "\t",
                  clock.instant().toString(),
                  oneLine(who),
                  oneLine(from),
                  "from " + describe(before, " "),
                  "to " + describe(next, " "))
              + "\n";
      Files.writeString(
          auditFile,
          line,
          StandardCharsets.UTF_8,
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the gray-release state", e);
    }
    current = next;
    return next;
  }

  static void checkListed(String user) {
    if (!USER_ID.matcher(user).matches()) {
      throw new IllegalArgumentException(
          "a listed user id has 1..128 characters out of A-Z a-z 0-9 . _ : @ -");
    }
  }

  /** The setting as {@code percent=.. allow=.. deny=..}, the parts split by {@code separator}. */
  private static String describe(GrayRelease release, String separator) {
    return String.join(
        separator,
        "percent=" + release.percent(),
        "allow=" + sorted(release.allow()),
        "deny=" + sorted(release.deny()));
  }

  private static String oneLine(String value) {
    return value.replaceAll("[\\t\\r\\n]", " ");
  }

  private static String sorted(Set<String> users) {
    return String.join(",", new TreeSet<>(users));
  }

  private static GrayRelease read(Path file) throws IOException {
    int percent = 0;
    Set<String> allow = Set.of();
    Set<String> deny = Set.of();
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      int eq = line.indexOf('=');
      if (eq < 0) {
        continue;
      }
      String key = line.substring(0, eq);
      String value = line.substring(eq + 1);
      switch (key) {
        case "percent" -> percent = Integer.parseInt(value);
        case "allow" -> allow = users(value);
        case "deny" -> deny = users(value);
        default -> throw new IOException("unknown key " + key + " in " + file);
      }
    }
    return new GrayRelease(percent, allow, deny);
  }

  private static Set<String> users(String value) {
    return Arrays.stream(value.split(","))
        .filter(s -> !s.isEmpty())
        .collect(Collectors.toUnmodifiableSet());
  }
}
