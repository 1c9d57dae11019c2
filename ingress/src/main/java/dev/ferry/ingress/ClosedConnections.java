package dev.ferry.ingress;

import io.helidon.common.socket.PeerInfo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Whether the client of a waiting request has closed its connection. Helidon does not tell a blocking handler,
 * and reading the socket to find out would take the bytes of the connection's next request. Linux tells: a
 * connection its peer closed stays in CLOSE_WAIT in the kernel's table ({@code /proc/net/tcp}, {@code tcp6})
 * until this side closes it too. The table is read at most every {@link #REFRESH_NANOS}, for every waiting
 * request at once. Where there is no such table a client's going away is not seen, and its request waits for its
 * answer or its {@code Prefer: wait}.
 */
final class ClosedConnections {
    private static final long REFRESH_NANOS = 500_000_000L;
    private static final List<Path> TABLES = List.of(Path.of("/proc/net/tcp"), Path.of("/proc/net/tcp6"));
    private static final String CLOSE_WAIT = "08";
    private static final HexFormat HEX = HexFormat.of().withUpperCase();

    /** Connections in CLOSE_WAIT, as {@code remote address:remote port/local port} in the table's notation. */
    private record Snapshot(long takenAt, Set<String> closed) {}

    private static volatile Snapshot snapshot = new Snapshot(System.nanoTime() - 2 * REFRESH_NANOS, Set.of());

    private ClosedConnections() {}

    /** True when the connection from {@code remote} to {@code local} is known to be closed by the client. */
    static boolean closedByClient(PeerInfo local, PeerInfo remote) {
        if (!(remote.address() instanceof InetSocketAddress client) || client.getAddress() == null) {
            return false;
        }
        Set<String> closed = current().closed();
        if (closed.isEmpty()) {
            return false;
        }
        String ports = String.format(":%04X/%04X", remote.port(), local.port());
        byte[] address = client.getAddress().getAddress();
        String asListed = kernelHex(address);
        if (closed.contains(asListed + ports)) {
            return true;
        }
        // An IPv4 client of a dual-stack socket is listed in tcp6 as ::ffff:a.b.c.d.
        return address.length == 4 && closed.contains("0000000000000000FFFF0000" + asListed + ports);
    }

    /** An address as the kernel's table writes it: each 32-bit word in host (little-endian) byte order. */
    static String kernelHex(byte[] address) {
        StringBuilder hex = new StringBuilder();
        for (int word = 0; word < address.length; word += 4) {
            for (int i = 3; i >= 0; i--) {
                hex.append(HEX.toHexDigits(address[word + i]));
            }
        }
        return hex.toString();
    }

    private static Snapshot current() {
        Snapshot known = snapshot;
        if (System.nanoTime() - known.takenAt() < REFRESH_NANOS) {
            return known;
        }
        synchronized (ClosedConnections.class) {
            known = snapshot;
            if (System.nanoTime() - known.takenAt() < REFRESH_NANOS) {
                return known;
            }
            Snapshot fresh = new Snapshot(System.nanoTime(), read());
            snapshot = fresh;
            return fresh;
        }
    }

    private static Set<String> read() {
        Set<String> closed = new HashSet<>();
        for (Path table : TABLES) {
            if (!Files.isReadable(table)) {
                continue;
            }
            try (Stream<String> lines = Files.lines(table)) {
                lines.skip(1).forEach(line -> {
                    // sl local_address rem_address st ...: "0: 0100007F:1F90 0100007F:C35A 08 ..."
                    String[] fields = line.trim().split("\\s+");
                    if (fields.length > 3 && fields[3].equals(CLOSE_WAIT)) {
                        String local = fields[1];
                        closed.add(fields[2] + "/" + local.substring(local.indexOf(':') + 1));
                    }
                });
            } catch (IOException | UncheckedIOException e) {
                // Unreadable now: nothing is known to be closed.
            }
        }
        return closed;
    }
}
