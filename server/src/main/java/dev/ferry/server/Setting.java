package dev.ferry.server;

import dev.ferry.cli.CliSetting;
import dev.ferry.schemas.dispatch.RequestSignature;

/**
 * Every setting of the server: its environment variable, its default and what it means. The YAML file named by
 * {@code FERRY_CONFIG_FILE} mirrors these: the variable's name without {@code FERRY_}, in lower case
 * ({@code ingress_port: 8080}), with Kafka and Kafka Streams properties under {@code kafka:} and {@code streams:}.
 * Environment variables win over the file.
 */
public enum Setting {
    ROLES("FERRY_ROLES", "all",
            "`all`, or a comma list of `ingress` (with the admin API), `processor`, `dispatcher`."),
    INGRESS_HOST("FERRY_INGRESS_HOST", "0.0.0.0", "Interface the ingress listens on."),
    INGRESS_PORT("FERRY_INGRESS_PORT", "8080", "Port of the ingress (Restate's ingress API)."),
    ADMIN_HOST("FERRY_ADMIN_HOST", "0.0.0.0", "Interface the admin API and UI listen on."),
    ADMIN_PORT("FERRY_ADMIN_PORT", "9070",
            "Port of the admin API, UI, health checks and metrics (every role serves the last two here)."),
    /** Its name is the command line's ({@link CliSetting#ADMIN_TOKEN}): the token the CLI sends is the one checked. */
    ADMIN_TOKEN(CliSetting.ADMIN_TOKEN.env(), "",
            "Set: every admin request but `/health`, `/health/ready` and the UI's files needs"
                    + " `Authorization: Bearer <token>`."),
    ADMIN_ALLOWED_ORIGINS("FERRY_ADMIN_ALLOWED_ORIGINS", "",
            "Comma list of origins (`https://ops.example.com`) whose pages may call the admin API besides its own"
                    + " UI, or `*` for any; requests with another `Origin` get 403."),
    PUBLIC_INGRESS_URL("FERRY_PUBLIC_INGRESS_URL", "",
            "The ingress as clients reach it behind a proxy or load balancer (`https://api.example.com/ferry`): the"
                    + " UI's playground, curl commands and links, and the OpenAPI documents use it. Unset: the host the"
                    + " admin API was reached on, with the ingress port."),
    DATA_DIR("FERRY_DATA_DIR", "./data",
            "Local data: the embedded broker's log and the processor's state stores."),
    KAFKA_BOOTSTRAP_SERVERS("FERRY_KAFKA_BOOTSTRAP_SERVERS", "",
            "Kafka to use. Unset: start an embedded single-node broker with its data in the data directory."),
    KAFKA_PROPERTIES_FILE("FERRY_KAFKA_PROPERTIES_FILE", "",
            "A Kafka client `.properties` file (as `kafka-topics.sh --command-config` takes) for every client Ferry"
                    + " opens: security, SASL, TLS. `FERRY_KAFKA_*` variables and the YAML file's `kafka:` win over"
                    + " it; its `bootstrap.servers` is used when `FERRY_KAFKA_BOOTSTRAP_SERVERS` is unset."),
    EMBEDDED_KAFKA_PORT("FERRY_EMBEDDED_KAFKA_PORT", "9092",
            "Port of the embedded broker (loopback only); its controller takes a free port."),
    PARTITIONS("FERRY_PARTITIONS", "",
            "Partitions of the command log and of the topics keyed like it, fixed once the topic exists (Ferry"
                    + " refuses to start when this is set to another count). Unset: the count of the existing topics;"
                    + " for new ones 2 on the embedded broker and 12 on a Kafka cluster."),
    TOPIC_PREFIX("FERRY_TOPIC_PREFIX", "ferry.", "Prefix of every topic Ferry creates and of its consumer groups."),
    REPLICATION_FACTOR("FERRY_REPLICATION_FACTOR", "",
            "Replication factor of the topics Ferry creates, the processor's changelogs included. Unset: the"
                    + " broker's default (1 when embedded)."),
    MAX_BODY_SIZE("FERRY_MAX_BODY_SIZE", "33554432",
            "Largest body in bytes (Restate's limit, 32 MiB), at most 256 MiB: larger requests get 413, larger service"
                    + " results are a terminal failure, larger subscription records are dead-lettered. Every Kafka"
                    + " record, client and topic limit follows from it."),
    DISPATCH_LEASE("FERRY_DISPATCH_LEASE", "15s",
            "A dispatched attempt whose dispatcher stops renewing its lease for this long is run again."),
    TIMER_TICK("FERRY_TIMER_TICK", "20ms",
            "How often the processor looks for due timers (delays, retries, leases, retention)."),
    PROCESSOR_LINGER("FERRY_PROCESSOR_LINGER", "",
            "How long the processor's producer gathers what it sends between commits (dispatches, replies, published"
                    + " results) into one produce request (Kafka's `linger.ms`). Unset: 5ms when this process runs"
                    + " every role on its embedded broker, where its dispatcher and ingress take dispatches and replies"
                    + " in memory as they are sent and the broker's copy keeps no call waiting; 0 otherwise, where the"
                    + " broker's copy is a call's next hop."),
    DISPATCHER_MAX_IN_FLIGHT("FERRY_DISPATCHER_MAX_IN_FLIGHT", "256",
            "Open service calls per dispatcher at most; beyond it attempts wait in the dispatch topic, their leases not"
                    + " yet counting, until a call ends. Each"
                    + " holds a connection and its buffers: raise it with the heap for many long-running calls."),
    DISPATCHER_CONNECT_TIMEOUT("FERRY_DISPATCHER_CONNECT_TIMEOUT", "5s",
            "How long a dispatcher waits to connect to a service endpoint before the attempt counts as failed."),
    RETRY_INITIAL_INTERVAL("FERRY_RETRY_INITIAL_INTERVAL", "500ms", "Wait before the second attempt."),
    RETRY_EXPONENTIATION_FACTOR("FERRY_RETRY_EXPONENTIATION_FACTOR", "2", "Each further wait is this much longer."),
    RETRY_MAX_INTERVAL("FERRY_RETRY_MAX_INTERVAL", "1m", "Longest wait between attempts."),
    RETRY_MAX_ATTEMPTS("FERRY_RETRY_MAX_ATTEMPTS", "70", "Attempts in all, the first included."),
    RETRY_ON_MAX_ATTEMPTS("FERRY_RETRY_ON_MAX_ATTEMPTS", "pause",
            "After the last attempt failed: `pause` (resume or kill it later) or `kill` (fail the invocation)."),
    IDEMPOTENCY_RETENTION("FERRY_IDEMPOTENCY_RETENTION", "1d",
            "How long a completed idempotent invocation answers repeats of its key."),
    JOURNAL_RETENTION("FERRY_JOURNAL_RETENTION", "1d",
            "How long every completed invocation's result can be attached to or read."),
    WORKFLOW_COMPLETION_RETENTION("FERRY_WORKFLOW_COMPLETION_RETENTION", "1d",
            "How long a completed workflow keeps its id (and result)."),
    INACTIVITY_TIMEOUT("FERRY_INACTIVITY_TIMEOUT", "1m",
            "A call that has not answered for this long is aborted and retried (per service: inactivity_timeout)."),
    PUBLISH_RESULTS("FERRY_PUBLISH_RESULTS", "false",
            "Publish every completed invocation on the results topic (per service: publish_results)."),
    DEAD_LETTER_FAILURES("FERRY_DEAD_LETTER_FAILURES", "false",
            "Publish invocations that fail terminally or are killed on the dead-letter topic, with their input"
                    + " (per service: dead_letter_failures)."),
    RESULT_TOPICS("FERRY_RESULT_TOPICS", "*",
            "Topics a result may be published on (a subscription's result_topic, a record's resultTopic): names and"
                    + " `prefix*` patterns, comma-separated. Kafka's (`__*`), Kafka Streams' (`*-changelog`,"
                    + " `*-repartition`) and Ferry's own topics are never allowed, except the results topic."),
    VALIDATE_INPUT("FERRY_VALIDATE_INPUT", "true",
            "Check request bodies against the handler's input JSON Schema and answer 400 before anything is written"
                    + " (per service: validate_input; false is Restate's behaviour)."),
    SIGNING_KEY("FERRY_SIGNING_KEY", "",
            "Set: dispatchers sign every request to a service with this key (HMAC-SHA256, header"
                    + " `x-ferry-signature`) unless its deployment was registered with its own `signing_key`;"
                    + " at least " + RequestSignature.MIN_KEY_LENGTH + " characters, as a `signing_key`."),
    SHUTDOWN_GRACE("FERRY_SHUTDOWN_GRACE", "20s",
            "On SIGTERM, how long open service calls and waiting callers get to finish before the roles close."),
    MAX_WAITERS_PER_INVOCATION("FERRY_MAX_WAITERS_PER_INVOCATION", "2000",
            "Requests (calls, attaches) that may wait for one invocation's result on one ingress at once; more get"
                    + " `429` with `Retry-After`."),
    MAX_INBOX_LENGTH("FERRY_MAX_INBOX_LENGTH", "1000",
            "Invocations that may queue for one object key or workflow id; more are refused: `429` with"
                    + " `Retry-After` for callers, the dead-letter topic for producers' and subscriptions' records."),
    STORE_MEMORY("FERRY_STORE_MEMORY", "67108864",
            "Off-heap memory in bytes of the processor's state stores (RocksDB's block cache and write buffers),"
                    + " shared by every store of the process, however many partitions it hosts."),
    MAX_HEAP("FERRY_MAX_HEAP", "384m",
            "Largest Java heap of a process `./ferry` starts (`-Xmx`); read by the launcher, not the server. The"
                    + " container image sizes the heap from the container's memory limit instead."),
    COMPILER_NICENESS("FERRY_COMPILER_NICENESS", "0",
            "On Linux, how many nice levels below the server's other threads the JVM's JIT compiler threads run (0 to"
                    + " 19): the calls' threads get the cores first while the compiler works through the first minutes"
                    + " after a start, and the compiler takes what they leave. Sooner fast under light load, later"
                    + " under load that fills the cores; 0 leaves them alone."),
    AOT_CACHE("FERRY_AOT_CACHE", "on",
            "On JDK 25 and newer, `./ferry` trains an ahead-of-time cache of the server's classes and method"
                    + " profiles once per build (`ferry train`: calls against a Ferry of its own) and starts from it"
                    + " (`off`: without); read by the launcher."),
    AOT_TRAINING_SECONDS("FERRY_AOT_TRAINING_SECONDS", "60",
            "Seconds of calls in `./ferry`'s training run for the ahead-of-time cache; read by the launcher."),
    LOG_FORMAT("FERRY_LOG_FORMAT", "text",
            "`text` (one readable line per event) or `json` (one JSON object per line, for log collectors); lines"
                    + " about an invocation carry its `invocation_id`, `service`, `handler` and `attempt`."),
    LOG_LEVEL("FERRY_LOG_LEVEL", "INFO",
            "Level of Ferry's own log lines: `TRACE`, `DEBUG`, `INFO`, `WARN` or `ERROR` (Kafka's and Helidon's stay"
                    + " at `WARN`)."),
    CONFIG_FILE("FERRY_CONFIG_FILE", "", "Optional YAML file with these settings (see above).");

    private final String env;
    private final String defaultValue;
    private final String description;

    Setting(String env, String defaultValue, String description) {
        this.env = env;
        this.defaultValue = defaultValue;
        this.description = description;
    }

    public String env() {
        return env;
    }

    public String defaultValue() {
        return defaultValue;
    }

    public String description() {
        return description;
    }

    /** The key of this setting in the YAML file. */
    public String yamlKey() {
        return env.substring("FERRY_".length()).toLowerCase(java.util.Locale.ROOT);
    }
}
