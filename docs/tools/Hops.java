import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.*;
import org.apache.kafka.clients.consumer.*;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Where the time of a call goes, from the timestamps of its records: Invoke appended to the requests topic (log-append
 * time) → Dispatch produced → Completion appended to the log (log-append time) → the result's Reply produced. Reads
 * every record of the four topics, joins them by invocation id and prints percentiles per hop, for the calls whose
 * Invoke came at or after SINCE (epoch milliseconds). Run it against a Ferry after sequential calls:
 *
 *   java -Dlogback.configurationFile=docs/tools/logback-quiet.xml -cp "server/target/lib/*" docs/tools/Hops.java \
 *       127.0.0.1:9092 SINCE
 *
 * With a third argument, the file docs/tools/SequentialTrace.java wrote (each call's id and when the client sent it
 * and had the answer), it adds the ingress's two parts (client → Invoke appended, Reply → client) and shows where the
 * slowest calls spent their time, segment by segment.
 */
public class Hops {
    public static void main(String[] args) throws Exception {
        String bootstrap = args[0];
        ObjectMapper json = new ObjectMapper();
        Map<String, long[]> t = new HashMap<>(); // id -> [invoke, dispatch, completion, reply]
        String[] topics = {"ferry.requests", "ferry.dispatch", "ferry.log", "ferry.replies"};
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        p.put("key.deserializer", ByteArrayDeserializer.class.getName());
        p.put("value.deserializer", ByteArrayDeserializer.class.getName());
        p.put("max.poll.records", "5000");
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p)) {
            for (int k = 0; k < topics.length; k++) {
                List<TopicPartition> parts = c.partitionsFor(topics[k]).stream().map(i -> new TopicPartition(i.topic(), i.partition())).toList();
                c.assign(parts);
                c.seekToBeginning(parts);
                Map<TopicPartition, Long> ends = c.endOffsets(parts);
                while (parts.stream().anyMatch(tp -> c.position(tp) < ends.get(tp))) {
                    for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(500))) {
                        JsonNode v;
                        try { v = json.readTree(r.value()); } catch (Exception e) { continue; }
                        if (v == null || !v.has("invocationId")) continue;
                        String type = v.path("type").asText();
                        String id = v.get("invocationId").asText();
                        int slot = switch (k) { case 0 -> type.equals("Invoke") ? 0 : -1; case 1 -> type.equals("Dispatch") ? 1 : -1;
                            case 2 -> type.equals("Completion") ? 2 : -1; default -> (v.path("kind").asText().equals("RESULT") || v.path("kind").asText().equals("INVOCATION_RESULT")) ? 3 : -1; };
                        if (slot < 0) continue;
                        long[] a = t.computeIfAbsent(id, x -> new long[4]);
                        if (a[slot] == 0) a[slot] = r.timestamp();
                    }
                }
            }
        }
        List<long[]> all = t.values().stream().filter(a -> a[0] > 0 && a[1] > 0 && a[2] > 0 && a[3] > 0).sorted(Comparator.comparingLong(a -> a[0])).toList();
        long since = args.length > 1 ? Long.parseLong(args[1]) : 0;
        all = all.stream().filter(a -> a[0] >= since).toList();
        if (args.length > 2) {
            clientSegments(t, Path.of(args[2]));
            return;
        }
        String[] names = {"invoke->dispatch (processor)", "dispatch->completion (dispatcher+service)", "completion->reply (processor)", "invoke->reply"};
        for (int h = 0; h < 4; h++) {
            int hh = h;
            long[] d = all.stream().mapToLong(a -> hh == 3 ? a[3] - a[0] : a[hh + 1] - a[hh]).sorted().toArray();
            if (d.length == 0) { System.out.println("no complete calls"); return; }
            System.out.printf("%-45s n=%d p50=%d p90=%d p99=%d ms%n", names[h], d.length, d[d.length / 2], d[(int) (d.length * 0.9)], d[(int) (d.length * 0.99)]);
        }
    }

    /** Each traced call's five segments, their percentiles, and the segments of the slowest 2 %. */
    static void clientSegments(Map<String, long[]> t, Path trace) throws Exception {
        List<long[]> rows = new ArrayList<>(); // sent, invoke, dispatch, completion, reply, answered, latency in µs
        for (String line : Files.readAllLines(trace)) {
            String[] f = line.split(" ");
            long[] a = t.get(f[0]);
            if (a == null || a[0] == 0 || a[1] == 0 || a[2] == 0 || a[3] == 0) continue;
            rows.add(new long[] {Long.parseLong(f[1]), a[0], a[1], a[2], a[3], Long.parseLong(f[2]), Long.parseLong(f[3])});
        }
        if (rows.isEmpty()) { System.out.println("no traced call found in the topics"); return; }
        String[] names = {"client->invoke appended", "invoke->dispatch", "dispatch->completion", "completion->reply",
            "reply->client"};
        System.out.println("calls " + rows.size() + " (ms; record timestamps have millisecond resolution)");
        for (int s = 0; s < 5; s++) {
            int ss = s;
            long[] d = rows.stream().mapToLong(r -> r[ss + 1] - r[ss]).sorted().toArray();
            System.out.printf("%-26s p50=%d p90=%d p99=%d max=%d%n", names[s], d[d.length / 2], d[(int) (d.length * 0.9)],
                    d[(int) (d.length * 0.99)], d[d.length - 1]);
        }
        rows.sort(Comparator.comparingLong(r -> -r[6]));
        int top = Math.max(1, rows.size() / 50);
        System.out.println("the slowest " + top + " calls, mean of each segment:");
        for (int s = 0; s < 5; s++) {
            double mean = 0;
            for (int i = 0; i < top; i++) mean += (rows.get(i)[s + 1] - rows.get(i)[s]) / (double) top;
            System.out.printf("  %-26s %.1f%n", names[s], mean);
        }
        for (int i = 0; i < Math.min(20, top); i++) {
            long[] r = rows.get(i);
            System.out.printf("  %6.1f ms, sent at %d: %d + %d + %d + %d + %d%n", r[6] / 1000.0, r[0], r[1] - r[0],
                    r[2] - r[1], r[3] - r[2], r[4] - r[3], r[5] - r[4]);
        }
    }
}
