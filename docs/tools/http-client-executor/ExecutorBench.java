import com.sun.management.OperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The JDK HTTP client's CPU a call with one executor or another, the way the dispatcher calls services: each call
 * from a virtual thread of its own that waits for the answer. Usage: {@code ExecutorBench MODE PORT CONCURRENCY
 * WARMUP_CALLS CALLS}, MODE one of {@code vthread} (a virtual thread per task), {@code default} (the client's own
 * pool), {@code inline} ({@code Runnable::run}).
 */
public class ExecutorBench {
    public static void main(String[] args) throws Exception {
        String mode = args[0];
        URI uri = URI.create("http://127.0.0.1:" + args[1] + "/Greeter/greet");
        int concurrency = Integer.parseInt(args[2]);
        int warmup = Integer.parseInt(args[3]);
        int calls = Integer.parseInt(args[4]);
        ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor();
        HttpClient.Builder builder = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1);
        switch (mode) {
            case "vthread" -> builder.executor(callers);
            case "inline" -> builder.executor(Runnable::run);
            case "default" -> { }
            default -> throw new IllegalArgumentException("mode " + mode);
        }
        HttpClient client = builder.build();
        OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        for (int phase = 0; phase < 2; phase++) {
            int total = phase == 0 ? warmup : calls;
            AtomicInteger left = new AtomicInteger(total);
            CountDownLatch done = new CountDownLatch(concurrency);
            long cpu0 = os.getProcessCpuTime();
            long t0 = System.nanoTime();
            for (int i = 0; i < concurrency; i++) {
                callers.execute(() -> {
                    try {
                        while (left.getAndDecrement() > 0) {
                            HttpRequest request = HttpRequest.newBuilder(uri)
                                    .header("content-type", "application/json")
                                    .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"Mary\"}")).build();
                            HttpResponse<byte[]> response =
                                    client.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray()).get();
                            if (response.statusCode() != 200) {
                                throw new IllegalStateException("status " + response.statusCode());
                            }
                        }
                    } catch (Exception e) {
                        e.printStackTrace();
                        System.exit(1);
                    } finally {
                        done.countDown();
                    }
                });
            }
            done.await();
            if (phase == 1) { // the first round warms the JIT up
                double seconds = (System.nanoTime() - t0) / 1e9;
                System.out.printf("%-7s concurrency %2d: %6.0f calls/s, client CPU %5.1f us a call%n", mode,
                        concurrency, calls / seconds, (os.getProcessCpuTime() - cpu0) / 1e3 / calls);
            }
        }
        System.exit(0);
    }
}
