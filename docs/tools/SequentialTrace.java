import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Sequential calls that remember each call: its invocation id (the {@code x-restate-id} answer header), when it was
 * sent and answered (epoch milliseconds) and its latency in microseconds, one line each, for docs/tools/Hops.java to
 * split into segments. The first 200 calls warm the connection and are not written.
 *
 *   java docs/tools/SequentialTrace.java http://127.0.0.1:8080/Greeter/noop 3000 /tmp/trace.txt
 */
public class SequentialTrace {
    public static void main(String[] args) throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpRequest call = HttpRequest.newBuilder(URI.create(args[0])).header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"hello\":\"world\"}")).build();
        int calls = Integer.parseInt(args[1]);
        try (PrintWriter out = new PrintWriter(Files.newBufferedWriter(Path.of(args[2])))) {
            for (int i = 0; i < calls + 200; i++) {
                long sent = System.currentTimeMillis();
                long start = System.nanoTime();
                HttpResponse<String> answer = client.send(call, HttpResponse.BodyHandlers.ofString());
                long micros = (System.nanoTime() - start) / 1000;
                long answered = System.currentTimeMillis();
                if (i >= 200) {
                    out.println(answer.headers().firstValue("x-restate-id").orElse("-") + " " + sent + " " + answered
                            + " " + micros);
                }
            }
        }
    }
}
