import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
        String[] names = {"invoke->dispatch (processor)", "dispatch->completion (dispatcher+service)", "completion->reply (processor)", "invoke->reply"};
        for (int h = 0; h < 4; h++) {
            int hh = h;
            long[] d = all.stream().mapToLong(a -> hh == 3 ? a[3] - a[0] : a[hh + 1] - a[hh]).sorted().toArray();
            if (d.length == 0) { System.out.println("no complete calls"); return; }
            System.out.printf("%-45s n=%d p50=%d p90=%d p99=%d ms%n", names[h], d.length, d[d.length / 2], d[(int) (d.length * 0.9)], d[(int) (d.length * 0.99)]);
        }
    }
}
