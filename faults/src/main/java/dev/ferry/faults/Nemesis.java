package dev.ferry.faults;

import dev.ferry.faults.History.Op;
import dev.ferry.faults.History.Type;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Faults, one at a time, each healed before the next: SIGKILL and restart (same data directory and ports) or
 * SIGSTOP and SIGCONT, of a processor, a dispatcher, an ingress or one broker (never two brokers at once). Every
 * action is logged into the {@link History}.
 *
 * <p>The first fault is the broker-loss scenario: the broker leading most partitions of the command log is killed in
 * the middle of the load and stays down; Ferry must go on answering with the two brokers left, and with no role
 * restarted (none is touched before it). The time from the kill to the first acknowledged add sent after it is the
 * recovery time.
 */
public final class Nemesis {
    /** The outcome of the broker-loss scenario. */
    public record BrokerLoss(String broker, int ledPartitions, boolean recovered, double recoverySeconds) {}

    private final Cluster cluster;
    private final History history;
    private final Random random;
    private final Duration brokerLossDeadline;
    private volatile BrokerLoss brokerLoss;
    private volatile boolean brokersInSync = true;
    private volatile Thread catchingUp;
    private int faults;

    public Nemesis(Cluster cluster, History history, long seed, Duration brokerLossDeadline) {
        this.cluster = cluster;
        this.history = history;
        this.random = new Random(seed);
        this.brokerLossDeadline = brokerLossDeadline;
    }

    public BrokerLoss brokerLoss() {
        return brokerLoss;
    }

    public int faults() {
        return faults;
    }

    /** Runs faults until {@code end} (a {@link History#now()} time), then heals everything. */
    public void run(long end, boolean brokerLossFirst) throws Exception {
        try {
            if (brokerLossFirst) {
                loseCommandLogLeader();
            }
            while (history.now() < end) {
                sleep(1000 + random.nextInt(3000));
                if (history.now() >= end) {
                    break;
                }
                fault();
            }
        } finally {
            heal();
            awaitBrokersInSync();
        }
    }

    private void loseCommandLogLeader() throws Exception {
        Map.Entry<Member, Integer> leader = cluster.commandLogLeader();
        Member broker = leader.getKey();
        long killedAt = history.now();
        history.nemesis("kill", broker.name(), "broker-loss: leads " + leader.getValue() + " partitions of "
                + Cluster.PREFIX + "log");
        broker.kill();
        faults++;
        long deadline = killedAt + brokerLossDeadline.toNanos();
        Long recovered = null;
        while (history.now() < deadline) {
            recovered = firstAckedAddAfter(killedAt);
            if (recovered != null) {
                break;
            }
            Thread.sleep(200);
        }
        double seconds = recovered == null ? -1 : (recovered - killedAt) / 1e9;
        brokerLoss = new BrokerLoss(broker.name(), leader.getValue(), recovered != null, seconds);
        history.nemesis("observe", broker.name(), recovered == null
                ? "broker-loss: no add sent after the kill was acknowledged within " + brokerLossDeadline.toSeconds()
                        + " s"
                : String.format("broker-loss: first add sent after the kill acknowledged %.1f s after it", seconds));
        // Stay down a little longer under load, then come back.
        sleep(5000);
        restartBroker(broker);
    }

    private Long firstAckedAddAfter(long time) {
        Map<Long, Long> invokedAt = new java.util.HashMap<>();
        Long first = null;
        for (Op op : history.ops()) {
            if (op.type() == Type.INVOKE && "add".equals(op.f())) {
                invokedAt.put(op.index(), op.time());
            } else if (op.type() == Type.OK && "add".equals(op.f()) && op.status() == 200) {
                Long invoked = invokedAt.get(op.index());
                if (invoked != null && invoked > time && (first == null || op.time() < first)) {
                    first = op.time();
                }
            }
        }
        return first;
    }

    private void fault() throws Exception {
        faults++;
        int dice = random.nextInt(100);
        if (dice < 35) {
            Member role = pick(cluster.roles());
            history.nemesis("kill", role.name(), null);
            role.kill();
            sleep(1000 + random.nextInt(4000));
            history.nemesis("restart", role.name(), null);
            role.start();
        } else if (dice < 65) {
            Member role = pick(cluster.roles());
            history.nemesis("pause", role.name(), null);
            role.pause();
            sleep(2000 + random.nextInt(8000));
            history.nemesis("resume", role.name(), null);
            role.resume();
        } else if (!brokersInSync) {
            // A broker is still catching up: two brokers out of the ISRs at once would be two down. A role instead.
            faults--;
            fault();
        } else if (dice < 85) {
            Member broker = pick(cluster.brokers());
            history.nemesis("kill", broker.name(), null);
            broker.kill();
            sleep(3000 + random.nextInt(7000));
            restartBroker(broker);
        } else {
            Member broker = pick(cluster.brokers());
            history.nemesis("pause", broker.name(), null);
            broker.pause();
            sleep(2000 + random.nextInt(6000));
            history.nemesis("resume", broker.name(), null);
            broker.resume();
        }
    }

    /**
     * Restarts a broker; the next broker fault waits until it is back and every replica is in sync again (at most one
     * broker down at a time), while faults of Ferry's roles go on meanwhile.
     */
    private void restartBroker(Member broker) throws InterruptedException {
        history.nemesis("restart", broker.name(), null);
        broker.start();
        brokersInSync = false;
        catchingUp = Thread.ofPlatform().name("nemesis-in-sync").daemon().start(() -> {
            try {
                cluster.awaitBrokers(cluster.brokers().size(), Duration.ofSeconds(90));
                boolean inSync = cluster.awaitInSync(Duration.ofSeconds(90));
                history.nemesis("observe", broker.name(), inSync ? "back in the cluster and every replica in sync"
                        : "back in the cluster, some replicas not in sync after 90 s");
            } catch (IllegalStateException e) {
                history.nemesis("observe", broker.name(), "not back in the cluster after 90 s");
            } catch (InterruptedException e) {
                return;
            }
            brokersInSync = true;
        });
    }

    /** Waits (boundedly) for a restarted broker to catch up: the run's end heals everything. */
    private void awaitBrokersInSync() throws InterruptedException {
        Thread thread = catchingUp;
        if (thread != null) {
            thread.join(100_000);
        }
    }

    private Member pick(List<Member> members) {
        return members.get(random.nextInt(members.size()));
    }

    /** Continues every paused process and starts every dead one. */
    public void heal() {
        for (Member member : cluster.all()) {
            if (member.paused()) {
                history.nemesis("resume", member.name(), "heal");
                member.resume();
            }
            if (!member.alive()) {
                history.nemesis("restart", member.name(), "heal");
                member.start();
            }
        }
    }

    private static void sleep(long millis) throws InterruptedException {
        Thread.sleep(millis);
    }
}
