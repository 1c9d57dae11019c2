package dev.ferry.ingress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.helidon.common.socket.PeerInfo;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Principal;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A client that closed its connection is seen as gone, on a real loopback connection; an open one is not. */
class ClosedConnectionsTest {
    @Test
    void addressesAreWrittenAsTheKernelListsThem() throws Exception {
        assertThat(ClosedConnections.kernelHex(InetAddress.getByName("127.0.0.1").getAddress())).isEqualTo("0100007F");
        assertThat(ClosedConnections.kernelHex(InetAddress.getByName("::1").getAddress()))
                .isEqualTo("00000000000000000000000001000000");
    }

    @Test
    void aClientThatClosedItsConnectionIsGoneAndAnOpenOneIsNot() throws Exception {
        assumeTrue(Files.isReadable(Path.of("/proc/net/tcp")), "Linux only");
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
                Socket open = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
                Socket openAccepted = server.accept()) {
            Socket leaving = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
            try (Socket leavingAccepted = server.accept()) {
                leaving.close();
                await().atMost(Duration.ofSeconds(5)).until(() -> ClosedConnections.closedByClient(
                        peer(leavingAccepted.getLocalSocketAddress()), peer(leavingAccepted.getRemoteSocketAddress())));
                assertThat(ClosedConnections.closedByClient(peer(openAccepted.getLocalSocketAddress()),
                        peer(openAccepted.getRemoteSocketAddress()))).isFalse();
            }
        }
    }

    private static PeerInfo peer(SocketAddress address) {
        InetSocketAddress inet = (InetSocketAddress) address;
        return new PeerInfo() {
            @Override
            public SocketAddress address() {
                return inet;
            }

            @Override
            public String host() {
                return inet.getHostString();
            }

            @Override
            public int port() {
                return inet.getPort();
            }

            @Override
            public Optional<Principal> tlsPrincipal() {
                return Optional.empty();
            }

            @Override
            public Optional<Certificate[]> tlsCertificates() {
                return Optional.empty();
            }
        };
    }
}
