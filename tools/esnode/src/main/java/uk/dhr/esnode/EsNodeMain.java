package uk.dhr.esnode;

import org.elasticsearch.action.admin.cluster.health.ClusterHealthResponse;
import org.elasticsearch.common.logging.LogConfigurator;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.core.TimeValue;
import org.elasticsearch.env.Environment;
import org.elasticsearch.http.HttpServerTransport;
import org.elasticsearch.node.EmbeddedNode;
import org.elasticsearch.node.InternalSettingsPreparer;
import org.elasticsearch.node.Node;
import org.elasticsearch.transport.netty4.Netty4Plugin;
import uk.dhr.esnode.analysis.DhrAnalysisPlugin;

import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Starts one embedded Elasticsearch node (HTTP and transport on 127.0.0.1) for local development
 * and tests: a single-node cluster by default, or one node of a multi-node cluster.
 *
 * <pre>
 * java -cp 'esnode.jar:lib/*' uk.dhr.esnode.EsNodeMain --home DIR [--port 9200|0] [--port-file FILE]
 *     [--cluster-name NAME] [--node-name NAME] [--transport-port 9300|0]
 *     [--seed-hosts 127.0.0.1:9301,127.0.0.1:9302 --initial-master-nodes n1,n2,n3]
 * </pre>
 *
 * With {@code --port 0} an ephemeral port is bound. Without {@code --seed-hosts} the node is a
 * single-node cluster ({@code discovery.type=single-node}); with it, the node discovers the
 * others through their transport addresses, and a new cluster is bootstrapped from the master
 * nodes named by {@code --initial-master-nodes} (every node must be given the same list; a
 * restarted node rejoins its cluster with the same arguments). Once the cluster is yellow the
 * bound HTTP port is written to the port file (default {@code DIR/http.port}) and
 * {@code Elasticsearch ready at http://127.0.0.1:PORT} is printed. The node log goes to
 * {@code DIR/logs/}. SIGINT/SIGTERM close the node.
 */
public final class EsNodeMain {

    public static void main(String[] args) {
        PrintStream err = System.err;
        try {
            run(args);
        } catch (Throwable t) {
            err.println("esnode: failed to start Elasticsearch: " + t);
            t.printStackTrace(err);
            err.flush();
            Runtime.getRuntime().halt(1);
        }
    }

    private static void run(String[] args) throws Exception {
        Path home = null;
        String port = "9200";
        Path portFile = null;
        String clusterName = "dhr-esnode";
        String nodeName = "esnode-1";
        String transportPort = "0";
        List<String> seedHosts = List.of();
        List<String> initialMasters = List.of();
        for (int i = 0; i < args.length; i++) {
            if (i + 1 >= args.length) {
                usage();
            }
            switch (args[i]) {
                case "--home" -> home = Path.of(args[++i]);
                case "--port" -> port = args[++i];
                case "--port-file" -> portFile = Path.of(args[++i]);
                case "--cluster-name" -> clusterName = args[++i];
                case "--node-name" -> nodeName = args[++i];
                case "--transport-port" -> transportPort = args[++i];
                case "--seed-hosts" -> seedHosts = commaList(args[++i]);
                case "--initial-master-nodes" -> initialMasters = commaList(args[++i]);
                default -> usage();
            }
        }
        if (!initialMasters.isEmpty() && seedHosts.isEmpty()) {
            System.err.println("--initial-master-nodes needs --seed-hosts");
            System.exit(2);
        }
        if (home == null) {
            System.err.println("--home DIR is required");
            System.exit(2);
        }
        home = home.toAbsolutePath();
        if (portFile == null) {
            portFile = home.resolve("http.port");
        }
        Files.deleteIfExists(portFile);
        for (String d : List.of("config", "data", "logs", "plugins", "modules", "tmp")) {
            Files.createDirectories(home.resolve(d));
        }
        try (InputStream in = EsNodeMain.class.getResourceAsStream("log4j2.properties")) {
            Files.copy(in, home.resolve("config/log4j2.properties"), StandardCopyOption.REPLACE_EXISTING);
        }

        Settings.Builder builder = Settings.builder()
            .put("path.home", home.toString())
            .put("path.data", home.resolve("data").toString())
            .put("path.logs", home.resolve("logs").toString())
            .put("cluster.name", clusterName)
            .put("node.name", nodeName)
            .put("http.host", "127.0.0.1")
            .put("transport.host", "127.0.0.1")
            .put("http.port", port)
            .put("transport.port", transportPort)
            // test machines often have little free disk: never block writes on watermarks
            .put("cluster.routing.allocation.disk.threshold_enabled", false);
        if (seedHosts.isEmpty()) {
            builder.put("discovery.type", "single-node");
        } else {
            // https://www.elastic.co/guide/en/elasticsearch/reference/8.15/modules-discovery-settings.html
            builder.putList("discovery.seed_hosts", seedHosts);
            if (!initialMasters.isEmpty()) {
                builder.putList("cluster.initial_master_nodes", initialMasters);
            }
        }
        Settings settings = builder.build();
        String name = nodeName;
        Environment env = InternalSettingsPreparer.prepareEnvironment(settings, Map.of(), home.resolve("config"), () -> name);

        // Elasticsearch's logging setup routes System.out/err into the log; keep the console.
        PrintStream console = System.out;
        LogConfigurator.registerErrorListener();
        LogConfigurator.configureESLogging();
        LogConfigurator.setNodeName(nodeName);
        LogConfigurator.configure(env, false);

        Node node = new EmbeddedNode(env, List.of(Netty4Plugin.class, DhrAnalysisPlugin.class, RestRootPlugin.class));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                node.close();
                node.awaitClose(20, TimeUnit.SECONDS);
            } catch (Exception e) {
                e.printStackTrace();
            } finally {
                stopped.countDown();
            }
        }, "esnode-shutdown"));

        node.start();
        ClusterHealthResponse health = node.client()
            .admin()
            .cluster()
            .prepareHealth()
            .setWaitForYellowStatus()
            .setTimeout(TimeValue.timeValueSeconds(120))
            .get();
        int boundPort = node.injector().getInstance(HttpServerTransport.class).boundAddress().publishAddress().getPort();
        Path tmp = portFile.resolveSibling(portFile.getFileName() + ".tmp");
        Files.writeString(tmp, Integer.toString(boundPort) + "\n", StandardCharsets.UTF_8);
        Files.move(tmp, portFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        console.println("Elasticsearch ready at http://127.0.0.1:" + boundPort + " (node " + nodeName + ", cluster status "
            + health.getStatus() + ", log: " + home.resolve("logs") + ")");
        console.flush();
        stopped.await();
    }

    private static List<String> commaList(String value) {
        return Arrays.stream(value.split(",")).map(String::trim).filter(v -> !v.isEmpty()).toList();
    }

    private static void usage() {
        System.err.println("usage: EsNodeMain --home DIR [--port P] [--port-file FILE] [--cluster-name NAME] [--node-name NAME]"
            + " [--transport-port P] [--seed-hosts HOST:PORT,...] [--initial-master-nodes NAME,...]");
        System.exit(2);
    }
}
