package dev.courier.systemtest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.cli.CourierCli;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

/**
 * The Kubernetes manifests of deploy/k8s/ agree with each other and with the server: every {@code serve} argument
 * parses with the real command line (so option names and values are the server's), the probes ask the operations
 * port for /ready and /health, the ports are those the arguments open, the selectors match the pod's labels, the
 * grace period outlasts preStop + drain delay + shutdown grace, the pod runs as non-root on a read-only root, and
 * the memory request covers the connections it admits at the cost measured per connection.
 */
class DeployManifestsTest {
    static final Path K8S = Path.of("..", "deploy", "k8s");
    /**
     * Server-side cost of one held connection measured by bench/c1m.sh (docs/benchmarks.md, "What a connection
     * costs"): 1,475 B of heap and half of the 8,869 B of kernel memory measured for both ends.
     */
    static final long BYTES_PER_CONNECTION = 1_475 + 8_869 / 2;

    static List<Map<String, Object>> docs = new ArrayList<>();

    @BeforeAll
    static void load() throws IOException {
        try (Stream<Path> files = Files.list(K8S)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
                try (Reader r = Files.newBufferedReader(f)) {
                    for (Object doc : new Yaml(new SafeConstructor(new LoaderOptions())).loadAll(r)) {
                        docs.add(map(doc));
                    }
                }
            }
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object o) {
        assertThat(o).isInstanceOf(Map.class);
        return (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Object o) {
        assertThat(o).isInstanceOf(List.class);
        return (List<Object>) o;
    }

    /** The value at a path of keys. */
    static Object at(Map<String, Object> doc, String... keys) {
        Object o = doc;
        for (String k : keys) {
            o = map(o).get(k);
            assertThat(o).as(String.join(".", keys)).isNotNull();
        }
        return o;
    }

    static List<Map<String, Object>> kind(String kind) {
        return docs.stream().filter(d -> kind.equals(d.get("kind"))).toList();
    }

    static Map<String, Object> deployment() {
        assertThat(kind("Deployment")).hasSize(1);
        return kind("Deployment").getFirst();
    }

    static Map<String, Object> container() {
        List<Object> containers = list(at(deployment(), "spec", "template", "spec", "containers"));
        assertThat(containers).hasSize(1);
        return map(containers.getFirst());
    }

    static List<String> args() {
        return list(container().get("args")).stream().map(String::valueOf).toList();
    }

    /** The serve arguments as the real command line parses them. */
    static ParseResult serve() {
        List<String> a = args();
        assertThat(a.getFirst()).isEqualTo("serve");
        CommandLine cli = new CommandLine(new CourierCli());
        ParseResult all = cli.parseArgs(a.toArray(String[]::new));
        assertThat(all.subcommand()).isNotNull();
        return all.subcommand();
    }

    static long millisOf(ParseResult serve, String option) {
        return ((Number) serve.commandSpec().findOption(option).getValue()).longValue();
    }

    static String text(ParseResult serve, String option) {
        Object value = serve.commandSpec().findOption(option).getValue();
        return String.valueOf(value);
    }

    static int port(String name) {
        for (Object p : list(container().get("ports"))) {
            if (name.equals(map(p).get("name"))) {
                return ((Number) map(p).get("containerPort")).intValue();
            }
        }
        throw new AssertionError("no container port named " + name);
    }

    @Test
    void everyServeArgumentIsAnOptionOfTheServerAndParses() {
        ParseResult serve = serve();
        assertThat(serve.unmatched()).isEmpty();
        assertThat(serve.hasMatchedOption("--shared-uploads")).as("one upload directory for every pod").isTrue();
        assertThat(serve.hasMatchedOption("--metrics")).isTrue();
    }

    @Test
    void theContainerPortsAreThoseTheArgumentsOpenAndTheProbesAskTheOperationsPort() {
        ParseResult serve = serve();
        assertThat(port("courier")).isEqualTo(((Number) serve.commandSpec().findOption("--port").getValue()).intValue());
        Matcher m = Pattern.compile(".*:(\\d+)").matcher(text(serve, "--metrics"));
        assertThat(m.matches()).isTrue();
        assertThat(port("metrics")).isEqualTo(Integer.parseInt(m.group(1)));
        Map<String, Object> c = container();
        assertThat(at(c, "readinessProbe", "httpGet", "path")).isEqualTo("/ready");
        assertThat(at(c, "readinessProbe", "httpGet", "port")).isEqualTo("metrics");
        assertThat(at(c, "livenessProbe", "httpGet", "path")).isEqualTo("/health");
        assertThat(at(c, "livenessProbe", "httpGet", "port")).isEqualTo("metrics");
    }

    @Test
    void theSelectorsOfTheDeploymentServicesAndBudgetMatchThePodsLabels() {
        Map<String, Object> labels = map(at(deployment(), "spec", "template", "metadata", "labels"));
        List<Map<String, Object>> selectors = new ArrayList<>();
        selectors.add(map(at(deployment(), "spec", "selector", "matchLabels")));
        for (Map<String, Object> s : kind("Service")) {
            selectors.add(map(at(s, "spec", "selector")));
            for (Object p : list(at(s, "spec", "ports"))) {
                port(String.valueOf(map(p).get("targetPort"))); // a port the container names
            }
        }
        assertThat(kind("PodDisruptionBudget")).hasSize(1);
        selectors.add(map(at(kind("PodDisruptionBudget").getFirst(), "spec", "selector", "matchLabels")));
        assertThat(kind("Service")).isNotEmpty();
        for (Map<String, Object> s : selectors) {
            assertThat(labels).containsAllEntriesOf(s);
            assertThat(s).isNotEmpty();
        }
    }

    @Test
    void theGracePeriodOutlastsPreStopDrainDelayAndShutdownGrace() {
        ParseResult serve = serve();
        long preStopSeconds = ((Number) at(container(), "lifecycle", "preStop", "sleep", "seconds")).longValue();
        long graceSeconds = ((Number) at(deployment(), "spec", "template", "spec", "terminationGracePeriodSeconds"))
                .longValue();
        long needMillis = preStopSeconds * 1000 + millisOf(serve, "--drain-delay")
                + millisOf(serve, "--shutdown-grace-ms");
        assertThat(millisOf(serve, "--drain-delay")).as("long enough for a probe to see 503").isGreaterThanOrEqualTo(
                1000L * ((Number) at(container(), "readinessProbe", "periodSeconds")).longValue());
        assertThat(graceSeconds * 1000).isGreaterThan(needMillis);
    }

    @Test
    void thePodRunsAsNonRootOnAReadOnlyRootAndTheSharedRootIsAVolumeEveryPodMounts() {
        Map<String, Object> pod = map(at(deployment(), "spec", "template", "spec"));
        assertThat(at(pod, "securityContext", "runAsNonRoot")).isEqualTo(true);
        assertThat(((Number) at(pod, "securityContext", "runAsUser")).longValue()).isPositive();
        assertThat(at(container(), "securityContext", "readOnlyRootFilesystem")).isEqualTo(true);
        assertThat(at(container(), "securityContext", "allowPrivilegeEscalation")).isEqualTo(false);
        String claim = null;
        for (Object v : list(pod.get("volumes"))) {
            Object pvc = map(v).get("persistentVolumeClaim");
            if (pvc != null) {
                claim = String.valueOf(map(pvc).get("claimName"));
            }
        }
        assertThat(kind("PersistentVolumeClaim")).extracting(d -> at(d, "metadata", "name")).containsExactly(claim);
        assertThat(list(at(kind("PersistentVolumeClaim").getFirst(), "spec", "accessModes")))
                .containsExactly("ReadWriteMany");
        ParseResult serve = serve();
        String mount = null;
        for (Object m : list(container().get("volumeMounts"))) {
            if ("shared".equals(map(m).get("name"))) {
                mount = String.valueOf(map(m).get("mountPath"));
            }
        }
        for (String dir : List.of("--data", "--files", "--upload-dir")) {
            assertThat(text(serve, dir)).startsWith(mount + "/");
        }
    }

    @Test
    void theMemoryRequestCoversTheConnectionsThePodAdmitsAtTheMeasuredCost() {
        ParseResult serve = serve();
        long maxConnections = ((Number) serve.commandSpec().findOption("--max-connections").getValue()).longValue();
        assertThat(maxConnections).as("a bound, so the pod cannot outgrow its request").isPositive();
        long requested = bytes(String.valueOf(at(container(), "resources", "requests", "memory")));
        long limit = bytes(String.valueOf(at(container(), "resources", "limits", "memory")));
        Matcher xmx = Pattern.compile("-Xmx(\\d+)m").matcher(String.valueOf(envValue("JAVA_TOOL_OPTIONS")));
        assertThat(xmx.find()).isTrue();
        long heapBytes = Long.parseLong(xmx.group(1)) << 20;
        assertThat(heapBytes).as("the heap holds the connections' objects")
                .isGreaterThan(maxConnections * 1_475);
        assertThat(requested).isGreaterThanOrEqualTo(maxConnections * BYTES_PER_CONNECTION + heapBytes);
        assertThat(limit).isGreaterThan(requested);
    }

    private static Object envValue(String name) {
        for (Object e : list(container().get("env"))) {
            if (name.equals(map(e).get("name"))) {
                return map(e).get("value");
            }
        }
        throw new AssertionError("no env " + name);
    }

    private static long bytes(String quantity) {
        Matcher m = Pattern.compile("(\\d+)(Mi|Gi)").matcher(quantity);
        assertThat(m.matches()).as(quantity).isTrue();
        return Long.parseLong(m.group(1)) << (m.group(2).equals("Mi") ? 20 : 30);
    }
}
