// Counts the command types in one partition of a topic (and the kinds of FireTimer records), read from the start:
// what a log full of records is full of. With a running ./ferry (embedded broker on 29092 in the benchmarks):
//   java -cp "server/target/lib/*" docs/tools/LogRecordTypes.java ferry.log 1 [127.0.0.1:29092] | grep records
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

public class LogRecordTypes {
    public static void main(String[] args) {
        Properties props = new Properties();
        props.put("bootstrap.servers", args.length > 2 ? args[2] : "127.0.0.1:29092");
        try (var consumer = new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
            var partition = new TopicPartition(args[0], Integer.parseInt(args[1]));
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long end = consumer.endOffsets(List.of(partition)).get(partition);
            Map<String, Integer> types = new TreeMap<>();
            Map<String, Integer> timers = new TreeMap<>();
            int records = 0;
            while (consumer.position(partition) < end) {
                for (var record : consumer.poll(Duration.ofSeconds(2))) {
                    records++;
                    String type = field(record.value(), "type");
                    types.merge(type, 1, Integer::sum);
                    if (type.equals("FireTimer")) {
                        timers.merge(field(record.value(), "kind"), 1, Integer::sum);
                    }
                }
            }
            System.out.println(records + " records " + types + " timers " + timers);
        }
    }

    private static String field(String json, String name) {
        int at = json == null ? -1 : json.indexOf("\"" + name + "\":\"");
        return at < 0 ? "?" : json.substring(at + name.length() + 4, json.indexOf('"', at + name.length() + 4));
    }
}
