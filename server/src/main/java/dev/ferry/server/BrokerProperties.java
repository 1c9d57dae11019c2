package dev.ferry.server;

import dev.ferry.schemas.RecordLimits;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The properties of a Kafka broker in KRaft combined mode ({@code process.roles=broker,controller}, a static quorum)
 * on the loopback interface: the one definition behind the single embedded broker ({@link EmbeddedKafka}) and the
 * three brokers the fault harness ({@code dev.ferry.faults.Cluster}) runs as processes of their own. What the two set
 * differently on purpose is a parameter here; a property only one of them sets stays with that one.
 */
public final class BrokerProperties {

    /** Where a broker listens, for clients and for the controller quorum. */
    public static final String HOST = "127.0.0.1";
    /** The name of the controller listener, which formatting a log directory needs as well. */
    public static final String CONTROLLER_LISTENER = "CONTROLLER";

    /**
     * How many copies of a record the cluster keeps, and how many a write needs: for the topics created without a
     * replication factor of their own and for Kafka's internal ones (consumer offsets, transaction state, share
     * coordinator state).
     *
     * @param factor     replicas of each partition; no more than there are brokers
     * @param minInsync  replicas that must have a write before it is acknowledged ({@code acks=all})
     */
    public record Replication(int factor, int minInsync) {
        /** A single broker: one replica of everything, and that one is enough. */
        public static final Replication SINGLE_NODE = new Replication(1, 1);

        public Replication {
            if (factor < 1 || minInsync < 1 || minInsync > factor) {
                throw new IllegalArgumentException("replication " + factor + " with min ISR " + minInsync);
            }
        }
    }

    private BrokerProperties() {
    }

    /**
     * The static voter set ({@code controller.quorum.voters}) of brokers whose controllers listen on
     * {@code controllerPorts}: the first is node 1, the next node 2, and so on.
     */
    public static String voters(List<Integer> controllerPorts) {
        StringBuilder voters = new StringBuilder();
        for (int i = 0; i < controllerPorts.size(); i++) {
            voters.append(i == 0 ? "" : ",").append(i + 1).append('@').append(HOST).append(':')
                    .append(controllerPorts.get(i));
        }
        return voters.toString();
    }

    /**
     * The properties of broker {@code nodeId}, one of {@code voters}: a map the caller may add to.
     *
     * @param internalTopicPartitions partitions of {@code __consumer_offsets} and {@code __transaction_state}. The
     *                                embedded broker takes 1 (one node has nothing to spread them over); the fault
     *                                harness's three brokers take 6, so that the group and transaction coordinators
     *                                are spread over the brokers and a broker that dies takes some of them with it.
     * @param limits                  the largest records Ferry writes (see {@link RecordLimits})
     */
    public static Map<String, String> of(int nodeId, int port, int controllerPort, String voters, Path logDir,
            Replication replication, int internalTopicPartitions, RecordLimits limits) {
        String factor = Integer.toString(replication.factor());
        String minInsync = Integer.toString(replication.minInsync());
        String internalPartitions = Integer.toString(internalTopicPartitions);
        Map<String, String> p = new LinkedHashMap<>();
        // KRaft combined mode, static voters
        p.put("node.id", Integer.toString(nodeId));
        p.put("process.roles", "broker,controller");
        p.put("listeners", "PLAINTEXT://" + HOST + ":" + port + "," + CONTROLLER_LISTENER + "://" + HOST + ":"
                + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://" + HOST + ":" + port);
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
        p.put("controller.listener.names", CONTROLLER_LISTENER);
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("controller.quorum.voters", voters);
        // storage
        p.put("log.dirs", logDir.toString());
        // replication, of every topic and of Kafka's internal ones
        p.put("default.replication.factor", factor);
        p.put("min.insync.replicas", minInsync);
        p.put("offsets.topic.replication.factor", factor);
        p.put("offsets.topic.num.partitions", internalPartitions);
        p.put("transaction.state.log.replication.factor", factor);
        p.put("transaction.state.log.min.isr", minInsync);
        p.put("transaction.state.log.num.partitions", internalPartitions);
        p.put("share.coordinator.state.topic.replication.factor", factor);
        p.put("share.coordinator.state.topic.min.isr", minInsync);
        p.put("num.partitions", "1");
        // Ferry creates its topics, and Kafka Streams its internal ones, with the right partition counts. A
        // topic created on first use would have one partition: the processor could never use it.
        p.put("auto.create.topics.enable", "false");
        // fast group formation
        p.put("group.initial.rebalance.delay.ms", "0");
        // Records carry bodies up to FERRY_MAX_BODY_SIZE (see RecordLimits). Ferry's topics say so themselves; the
        // broker-wide values cover topics created otherwise, and one produce request with the largest record.
        p.put("message.max.bytes", Integer.toString(limits.deadLetterRecordBytes()));
        p.put("replica.fetch.max.bytes", Integer.toString(limits.deadLetterRecordBytes()));
        p.put("socket.request.max.bytes", Integer.toString(limits.brokerRequestBytes()));
        // log cleaner (needed for compacted __consumer_offsets / Streams changelogs):
        // default dedupe buffer is 128 MiB of heap, far too much for a broker beside other processes
        p.put("log.cleaner.dedupe.buffer.size", "8388608");
        p.put("log.cleaner.threads", "1");
        // faster broker registration / unfencing at startup, and a dead broker is fenced within seconds
        p.put("broker.heartbeat.interval.ms", "500");
        p.put("broker.session.timeout.ms", "3000");
        // The processor's first record on a partition in each transaction (a dispatch, a reply) makes the broker
        // add the partition to the transaction (transaction version 2). Right after a commit the coordinator is
        // still writing the previous transaction's markers and answers CONCURRENT_TRANSACTIONS, and the broker
        // asks again after this backoff: 20 ms by default, so after every commit (once a second) the next
        // dispatch and the next reply each waited about 20 ms, at the tail of sequential calls
        // (docs/performance.md, tenth session). The markers take a millisecond or two on these brokers.
        p.put("add.partitions.to.txn.retry.backoff.ms", "1");
        return p;
    }
}
