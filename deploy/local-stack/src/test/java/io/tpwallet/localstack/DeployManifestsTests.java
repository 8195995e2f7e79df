package io.tpwallet.localstack;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The deployment files say the same as the code: every service of the build has a Deployment on the
 * port its application.yml listens on, with the probes the services expose, and every metric that
 * an alert or a dashboard reads is one that some service registers. A renamed meter or a moved port
 * fails here instead of in a cluster with silent dashboards.
 */
class DeployManifestsTests {

  private static final Path ROOT = Path.of("../..").toAbsolutePath().normalize();
  private static final Path BASE = ROOT.resolve("deploy/k8s/base");

  /** Prometheus names: a meter's dots become underscores, plus the suffix of its type. */
  private static final Pattern METRIC_IN_QUERY = Pattern.compile("\\btpw_[a-z0-9_]+");

  private static final Pattern METER_IN_CODE =
      Pattern.compile(
          "(?:Counter|Timer|Gauge|FunctionCounter|DistributionSummary)\\.builder\\(\\s*\"(tpw\\.[a-z0-9.]+)\"");

  private static final List<String> SUFFIXES =
      List.of("", "_total", "_seconds", "_seconds_bucket", "_seconds_count", "_seconds_sum");

  @Test
  void everyServiceModuleHasADeploymentOnItsPortWithItsProbes() throws IOException {
    Map<String, Map<String, Object>> deployments = resourcesOfKind("Deployment");
    List<String> modules = serviceModules();
    assertThat(modules).hasSize(7);
    for (String module : modules) {
      String name = module.replace("-service", "");
      Map<String, Object> deployment = deployments.get(name);
      assertThat(deployment).as("Deployment %s for module %s", name, module).isNotNull();
      Map<String, Object> container = firstContainer(deployment);
      assertThat(container.get("image")).isEqualTo("tpwallet/" + module);
      int port = serverPort(module);
      Map<String, Object> firstPort = first(list(container, "ports"));
      assertThat(firstPort.get("containerPort")).as("%s container port", module).isEqualTo(port);
      assertThat(path(container, "readinessProbe")).isEqualTo("/actuator/health/readiness");
      assertThat(path(container, "livenessProbe")).isEqualTo("/actuator/health/liveness");
      Map<String, Object> annotations = map(map(map(deployment, "spec"), "template"), "metadata");
      assertThat(map(annotations, "annotations").get("prometheus.io/port"))
          .isEqualTo(Integer.toString(port));
    }
  }

  @Test
  void theKustomizationListsEveryFileOfTheBase() throws IOException {
    Map<String, Object> kustomization = load(BASE.resolve("kustomization.yaml")).get(0);
    @SuppressWarnings("unchecked")
    Set<String> listed = new TreeSet<>((List<String>) kustomization.get("resources"));
    Set<String> present = new TreeSet<>();
    try (Stream<Path> files = Files.walk(BASE)) {
      files
          .filter(f -> f.toString().endsWith(".yaml"))
          .filter(f -> !f.getFileName().toString().equals("kustomization.yaml"))
          .forEach(f -> present.add(BASE.relativize(f).toString()));
    }
    assertThat(listed).isEqualTo(present);
  }

  @Test
  void theCoordinatorFindsEachSignerNodeByItsStableName() throws IOException {
    Map<String, Object> coordinator = firstContainer(resourcesOfKind("Deployment").get("signing"));
    Map<String, Object> signers = resourcesOfKind("StatefulSet").get("signer");
    assertThat(map(signers, "spec").get("replicas")).isEqualTo(3);
    for (int participant = 1; participant <= 3; participant++) {
      assertThat(env(coordinator, "TPW_SIGNER_" + participant + "_URL"))
          .isEqualTo("http://signer-" + (participant - 1) + ".signer:8091");
    }
  }

  @Test
  void everyMetricThatAnAlertOrADashboardReadsIsRegisteredBySomeService() throws IOException {
    Set<String> registered = new TreeSet<>();
    for (String meter : metersInCode()) {
      for (String suffix : SUFFIXES) {
        registered.add(meter.replace('.', '_') + suffix);
      }
    }
    Set<String> read = new TreeSet<>();
    for (Path file :
        List.of(
            ROOT.resolve("deploy/prometheus/rules/tpwallet.yml"),
            ROOT.resolve("deploy/grafana/dashboards/tpwallet-overview.json"),
            ROOT.resolve("deploy/grafana/dashboards/tpwallet-migration.json"))) {
      Matcher m = METRIC_IN_QUERY.matcher(Files.readString(file));
      while (m.find()) {
        read.add(m.group());
      }
    }
    assertThat(read).isNotEmpty();
    assertThat(registered).containsAll(read);
  }

  // ---------------------------------------------------------------- helpers

  private static List<String> serviceModules() throws IOException {
    List<String> modules = new ArrayList<>();
    Matcher m =
        Pattern.compile("<module>([a-z-]+-service)</module>")
            .matcher(Files.readString(ROOT.resolve("pom.xml")));
    while (m.find()) {
      modules.add(m.group(1));
    }
    return modules;
  }

  private static int serverPort(String module) throws IOException {
    Path yml = ROOT.resolve(module).resolve("src/main/resources/application.yml");
    Map<String, Object> server = map(load(yml).get(0), "server");
    String port = String.valueOf(server.get("port"));
    // ${SERVER_PORT:8080} or 8080
    Matcher m = Pattern.compile("(\\d+)\\}?$").matcher(port);
    assertThat(m.find()).as("%s server.port %s", module, port).isTrue();
    return Integer.parseInt(m.group(1));
  }

  private static Set<String> metersInCode() throws IOException {
    Set<String> meters = new TreeSet<>();
    try (Stream<Path> files = Files.walk(ROOT)) {
      for (Path f :
          files
              .filter(p -> p.toString().endsWith(".java"))
              .filter(p -> p.toString().contains("/src/main/java/"))
              .toList()) {
        Matcher m = METER_IN_CODE.matcher(Files.readString(f));
        while (m.find()) {
          meters.add(m.group(1));
        }
      }
    }
    return meters;
  }

  private static Map<String, Map<String, Object>> resourcesOfKind(String kind) throws IOException {
    Map<String, Map<String, Object>> byName = new java.util.TreeMap<>();
    try (Stream<Path> files = Files.walk(BASE)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).toList()) {
        for (Map<String, Object> doc : load(f)) {
          if (kind.equals(doc.get("kind"))) {
            byName.put((String) map(doc, "metadata").get("name"), doc);
          }
        }
      }
    }
    return byName;
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> load(Path file) throws IOException {
    List<Map<String, Object>> docs = new ArrayList<>();
    try (Reader reader = Files.newBufferedReader(file)) {
      for (Object doc : new Yaml().loadAll(reader)) {
        if (doc != null) {
          docs.add((Map<String, Object>) doc);
        }
      }
    }
    return docs;
  }

  private static Map<String, Object> firstContainer(Map<String, Object> workload) {
    Map<String, Object> podSpec = map(map(map(workload, "spec"), "template"), "spec");
    return first(list(podSpec, "containers"));
  }

  private static String path(Map<String, Object> container, String probe) {
    return (String) map(map(container, probe), "httpGet").get("path");
  }

  private static String env(Map<String, Object> container, String name) {
    return list(container, "env").stream()
        .filter(e -> name.equals(e.get("name")))
        .map(e -> (String) e.get("value"))
        .findFirst()
        .orElse(null);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Map<String, Object> parent, String key) {
    Object value = parent.get(key);
    assertThat(value).as(key).isInstanceOf(Map.class);
    return (Map<String, Object>) value;
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> list(Map<String, Object> parent, String key) {
    Object value = parent.get(key);
    assertThat(value).as(key).isInstanceOf(List.class);
    return (List<Map<String, Object>>) value;
  }

  private static Map<String, Object> first(List<Map<String, Object>> items) {
    assertThat(items).isNotEmpty();
    return items.get(0);
  }
}
