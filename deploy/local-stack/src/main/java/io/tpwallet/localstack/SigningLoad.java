package io.tpwallet.localstack;

import io.tpwallet.ledgerbench.LoopbackHttp;
import java.io.IOException;
import java.math.BigInteger;
import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Load driver for threshold signing through the coordinator of a running stack ({@code ./tpw up}:
 * coordinator on 8085, three signer processes on 8091..8093, all on loopback): makes a 2-of-3 key
 * by DKG per suite (timing several DKGs, and as many 3-of-5 DKGs where the coordinator knows five
 * nodes), then signs 32-byte digests for {@code seconds} and prints signatures/s and p50/p99/p999
 * latency, in one of two modes:
 *
 * <ul>
 *   <li>closed loop ({@code rate} 0): {@code clients} requesters, each sending its next request
 *       when its last one is answered; what the service can do at that concurrency, but its latency
 *       says nothing about a given arrival rate (a slow answer delays the requests behind it).
 *   <li>open loop ({@code rate} R > 0): requests are due at R per second on a fixed schedule, sent
 *       by up to {@code clients} connections, and each latency is measured from the request's due
 *       time, not from when a free connection sent it, so a stall counts for every request it
 *       delayed (no coordinated omission). It also prints the rate achieved and how many requests
 *       started late (more than 1 ms after their due time, i.e. waited for a connection).
 * </ul>
 *
 * <p>Usage: {@code SigningLoad [url] [clients] [seconds] [dkgRuns] [warmupSeconds] [rate]};
 * defaults {@code http://127.0.0.1:8085 16 20 5 20 0} (the warm-up, in the same mode, lets the
 * services' JIT finish, which on two shared cores takes tens of seconds). Every connection is a
 * blocking keep-alive socket ({@link LoopbackHttp}), which costs the shared cores less than the JDK
 * client. Bounded: at most {@link #SECONDS_MAX} seconds, {@link #CLIENTS_MAX} clients, {@link
 * #RATE_MAX} per second and {@link #SIGNATURES_MAX} signatures per suite; loopback only by intent
 * (it refuses other hosts).
 */
public final class SigningLoad {

  static final int CLIENTS_MAX = 256;
  static final int SECONDS_MAX = 300;
  static final int DKG_RUNS_MAX = 50;
  static final long SIGNATURES_MAX = 2_000_000;
  static final int WARMUP_SECONDS_DEFAULT = 20;
  static final int RATE_MAX = 20_000;
  static final int REQUEST_TIMEOUT_MILLIS = 30_000;
  // Open loop: requests still due when the run ends are sent for at most this long after it.
  static final long DRAIN_NANOS_MAX = 10_000_000_000L;
  static final long LATE_NANOS = 1_000_000;
  static final String DESTINATION = "bench-destination";
  static final List<String> SUITES = List.of("ed25519", "secp256k1-tr");

  private final URI coordinator;
  private final int clients;
  private final int seconds;
  private final int dkgRuns;
  private final int warmupSeconds;
  private final int rate;
  private final JsonMapper json = JsonMapper.builder().build();

  SigningLoad(URI coordinator, int clients, int seconds, int dkgRuns, int warmupSeconds, int rate) {
    this.warmupSeconds = warmupSeconds;
    this.coordinator = coordinator;
    this.clients = clients;
    this.seconds = seconds;
    this.dkgRuns = dkgRuns;
    this.rate = rate;
  }

  public static void main(String[] args) throws Exception {
    URI url = URI.create(args.length > 0 ? args[0] : "http://127.0.0.1:8085");
    int clients = args.length > 1 ? Integer.parseInt(args[1]) : 16;
    int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 20;
    int dkgRuns = args.length > 3 ? Integer.parseInt(args[3]) : 5;
    int warmup = args.length > 4 ? Integer.parseInt(args[4]) : WARMUP_SECONDS_DEFAULT;
    int rate = args.length > 5 ? Integer.parseInt(args[5]) : 0;
    if (!List.of("127.0.0.1", "localhost", "[::1]").contains(url.getHost())) {
      throw new IllegalArgumentException("loopback only: " + url);
    }
    if (clients < 1 || clients > CLIENTS_MAX || seconds < 1 || seconds > SECONDS_MAX) {
      throw new IllegalArgumentException(
          "clients 1.." + CLIENTS_MAX + ", seconds 1.." + SECONDS_MAX);
    }
    if (dkgRuns < 1 || dkgRuns > DKG_RUNS_MAX) {
      throw new IllegalArgumentException("dkgRuns 1.." + DKG_RUNS_MAX);
    }
    if (warmup < 0 || warmup > SECONDS_MAX) {
      throw new IllegalArgumentException("warm-up 0.." + SECONDS_MAX + " s");
    }
    if (rate < 0 || rate > RATE_MAX) {
      throw new IllegalArgumentException("rate 0.." + RATE_MAX + " signatures/s (0: closed loop)");
    }
    new SigningLoad(url, clients, seconds, dkgRuns, warmup, rate).run();
    System.exit(0);
  }

  void run() throws Exception {
    System.out.printf(
        "Signing load against %s: 2-of-3 keys, %s, %d s per suite (after %d s warm-up), %d cpus%n",
        coordinator,
        rate == 0
            ? clients + " closed-loop clients"
            : "open loop at " + rate + " signatures/s over up to " + clients + " connections",
        seconds,
        warmupSeconds,
        Runtime.getRuntime().availableProcessors());
    System.out.println("load average at start: " + loadAverage());
    for (String suite : SUITES) {
      String keyId = null;
      long[] dkg = new long[dkgRuns];
      for (int i = 0; i < dkgRuns; i++) {
        long started = System.nanoTime();
        keyId = java.util.Objects.requireNonNull(createKey(suite, 2, List.of(1, 2, 3)));
        dkg[i] = System.nanoTime() - started;
      }
      System.out.printf(
          "%-13s DKG 2-of-3 over HTTP (coordinator + 3 nodes): %s ms (p50 / max of %d)%n",
          suite, percentiles(dkg, 50, 100), dkgRuns);
      long[] dkg5 = new long[dkgRuns];
      for (int i = 0; i < dkgRuns; i++) {
        long started = System.nanoTime();
        if (createKey(suite, 3, List.of(1, 2, 3, 4, 5)) == null) {
          dkg5 = new long[0];
          break;
        }
        dkg5[i] = System.nanoTime() - started;
      }
      System.out.printf(
          "%-13s DKG 3-of-5 over HTTP (coordinator + 5 nodes): %s%n",
          suite,
          dkg5.length == 0
              ? "skipped (the coordinator knows fewer than five signer nodes)"
              : percentiles(dkg5, 50, 100) + " ms (p50 / max of " + dkgRuns + ")");
      drive(suite, keyId, warmupSeconds);
      MachineCpu.Snapshot cpuBefore = MachineCpu.snapshot();
      Result result = drive(suite, keyId, seconds);
      MachineCpu.Snapshot cpuAfter = MachineCpu.snapshot();
      System.out.printf(
          "%-13s %,d signatures in %.1f s = %,.0f signatures/s; latency ms p50 / p99 / p999: %s;"
              + " errors %d%s%n",
          suite,
          result.count,
          result.seconds,
          result.count / result.seconds,
          percentiles(result.latencies, 50, 99, 99.9),
          result.errors,
          rate == 0
              ? ""
              : String.format(
                  "; offered %d/s, from due time; %d started late (> 1 ms), %d never sent",
                  rate, result.late, result.unsent));
      System.out.println("load average after " + suite + ": " + loadAverage());
      System.out.println(
          MachineCpu.describe(cpuBefore, cpuAfter, benchProcesses(), result.seconds));
    }
  }

  /**
   * The processes whose CPU the run prints by name: {@code tpw.bench.pids} as {@code name=pid,...}
   * ({@code ./tpw bench signing} sets it), and this driver.
   */
  static Map<String, Integer> benchProcesses() {
    Map<String, Integer> out = new java.util.LinkedHashMap<>();
    for (String entry : System.getProperty("tpw.bench.pids", "").split(",")) {
      String[] nameAndPid = entry.split("=");
      if (nameAndPid.length == 2) {
        out.put(nameAndPid[0], Integer.parseInt(nameAndPid[1]));
      }
    }
    out.put("driver", (int) ProcessHandle.current().pid());
    return out;
  }

  /** The 1, 5 and 15 minute load averages from /proc/loadavg, or "n/a" off Linux. */
  static String loadAverage() {
    try {
      String[] parts =
          java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).split(" ");
      return parts[0] + " " + parts[1] + " " + parts[2];
    } catch (IOException | RuntimeException e) {
      return "n/a";
    }
  }

  record Result(
      long count, double seconds, long[] latencies, long errors, long late, long unsent) {}

  private Result drive(String suite, String keyId, int runSeconds) throws Exception {
    return rate == 0 ? closedLoop(suite, keyId, runSeconds) : openLoop(suite, keyId, runSeconds);
  }

  private Result closedLoop(String suite, String keyId, int runSeconds) throws Exception {
    long deadline = System.nanoTime() + runSeconds * 1_000_000_000L;
    AtomicLong issued = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    long started = System.nanoTime();
    long[] all =
        onEveryClient(
            (http, samples) -> {
              while (System.nanoTime() < deadline && issued.incrementAndGet() <= SIGNATURES_MAX) {
                long t0 = System.nanoTime();
                if (sign(http, suite, keyId)) {
                  samples.add(System.nanoTime() - t0);
                } else {
                  errors.incrementAndGet();
                }
              }
            });
    double elapsed = (System.nanoTime() - started) / 1e9;
    return new Result(all.length, elapsed, all, errors.get(), 0, 0);
  }

  /**
   * Request i is due at start + i / rate; a connection takes the next due request, waits for its
   * due time if it is early, and records the latency from the due time. Requests due within the run
   * are all sent (the backlog drains after it for at most {@link #DRAIN_NANOS_MAX}); the rate
   * achieved is those answered over the time until the last answer.
   */
  private Result openLoop(String suite, String keyId, int runSeconds) throws Exception {
    long due = Math.min(SIGNATURES_MAX, (long) rate * runSeconds);
    double intervalNanos = 1e9 / rate;
    AtomicLong next = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    AtomicLong late = new AtomicLong();
    AtomicLong lastAnswer = new AtomicLong();
    long start = System.nanoTime() + 10_000_000; // every connection is ready before the first
    long giveUp = start + runSeconds * 1_000_000_000L + DRAIN_NANOS_MAX;
    long[] all =
        onEveryClient(
            (http, samples) -> {
              for (long i = next.getAndIncrement(); i < due; i = next.getAndIncrement()) {
                long dueAt = start + (long) (i * intervalNanos);
                long now = System.nanoTime();
                if (now > giveUp) {
                  break;
                }
                while (now < dueAt) {
                  LockSupport.parkNanos(dueAt - now);
                  now = System.nanoTime();
                }
                if (now - dueAt > LATE_NANOS) {
                  late.incrementAndGet();
                }
                boolean ok = sign(http, suite, keyId);
                long answered = System.nanoTime();
                lastAnswer.accumulateAndGet(answered, Math::max);
                if (ok) {
                  samples.add(answered - dueAt);
                } else {
                  errors.incrementAndGet();
                }
              }
            });
    double elapsed = (lastAnswer.get() - start) / 1e9;
    long unsent = Math.max(0, due - all.length - errors.get());
    return new Result(all.length, elapsed, all, errors.get(), late.get(), unsent);
  }

  /** What one client thread does with its own connection, recording latencies. */
  private interface Client {
    void run(LoopbackHttp http, Samples samples);
  }

  /** Runs {@code clients} threads, each with its own connection; all their latencies. */
  private long[] onEveryClient(Client client) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    try {
      List<Future<long[]>> futures = new ArrayList<>();
      for (int c = 0; c < clients; c++) {
        futures.add(
            pool.submit(
                () -> {
                  Samples samples = new Samples();
                  try (LoopbackHttp http = connection()) {
                    client.run(http, samples);
                  }
                  return samples.toArray();
                }));
      }
      List<long[]> parts = new ArrayList<>();
      for (Future<long[]> f : futures) {
        parts.add(f.get());
      }
      return parts.stream().flatMapToLong(Arrays::stream).toArray();
    } finally {
      pool.shutdown();
    }
  }

  /** One client's latencies, in nanoseconds. */
  private static final class Samples {
    private long[] values = new long[1024];
    private int size;

    void add(long nanos) {
      if (size == values.length) {
        values = Arrays.copyOf(values, size * 2);
      }
      values[size++] = nanos;
    }

    long[] toArray() {
      return Arrays.copyOf(values, size);
    }
  }

  private LoopbackHttp connection() {
    return new LoopbackHttp(coordinator.toString(), REQUEST_TIMEOUT_MILLIS);
  }

  /** A key made by DKG, or null where the coordinator does not know every node asked for. */
  private String createKey(String suite, int threshold, List<Integer> nodes) throws IOException {
    ObjectNode body = json.createObjectNode();
    body.put("suite", suite);
    body.put("threshold", threshold);
    var array = body.putArray("nodes");
    nodes.forEach(array::add);
    ObjectNode policy = body.putObject("policy");
    policy.put("asset", "BENCH");
    policy.put("perTransactionMax", BigInteger.TEN.pow(6));
    // A day limit no benchmark reaches: the per-day sum is still computed and locked per request.
    policy.put("perDayMax", BigInteger.TEN.pow(30));
    policy.putArray("destinations").add(DESTINATION);
    LoopbackHttp.Answer response;
    try (LoopbackHttp http = connection()) {
      response = http.post("/v1/signing/keys", json.writeValueAsString(body), null);
    }
    if (response.status() == 400 && response.body().contains("unknown signer node")) {
      return null;
    }
    if (response.status() != 201) {
      throw new IllegalStateException("DKG answered " + response.status() + ": " + response.body());
    }
    return json.readTree(response.body()).path("keyId").asString();
  }

  /** Signs a random 32-byte digest; false (and why on stderr) unless a signature came back. */
  private boolean sign(LoopbackHttp http, String suite, String keyId) {
    byte[] digest = new byte[32];
    ThreadLocalRandom.current().nextBytes(digest);
    ObjectNode body = json.createObjectNode();
    body.put("message", HexFormat.of().formatHex(digest));
    ObjectNode context = body.putObject("context");
    context.put("requestId", UUID.randomUUID().toString());
    context.put("asset", "BENCH");
    context.put("amount", 1);
    context.put("destination", DESTINATION);
    try {
      LoopbackHttp.Answer response =
          http.post(
              "/v1/signing/keys/" + keyId + "/signatures", json.writeValueAsString(body), null);
      if (response.status() != 200) {
        System.err.println(suite + " sign answered " + response.status() + ": " + response.body());
        return false;
      }
      JsonNode answer = json.readTree(response.body());
      return answer.path("signature").asString().length() == 128;
    } catch (IOException e) {
      System.err.println(suite + " sign failed: " + e);
      return false;
    }
  }

  /** Nearest-rank percentiles of the samples, in milliseconds, joined by " / ". */
  static String percentiles(long[] nanos, double... percents) {
    if (nanos.length == 0) {
      return "n/a";
    }
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    List<String> out = new ArrayList<>();
    for (double p : percents) {
      int rank = (int) Math.ceil(p / 100.0 * sorted.length);
      out.add(String.format("%.1f", sorted[Math.max(0, rank - 1)] / 1e6));
    }
    return String.join(" / ", out);
  }
}
