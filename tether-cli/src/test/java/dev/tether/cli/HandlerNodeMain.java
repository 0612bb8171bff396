package dev.tether.cli;

import dev.tether.Durability;
import dev.tether.NodeId;
import dev.tether.node.Tether;
import dev.tether.node.TetherConfig;
import dev.tether.store.memory.InMemoryStore;
import dev.tether.transport.tcp.TcpTransport;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A node with named handlers in a process of its own, for the CLI's call tests: node {@code b} on loopback TCP,
 * peer {@code a} (which dials it), and the handlers {@code echo} (replies with the payload and the caller's {@code
 * trace} header), {@code fail} (throws), and {@code slow} (takes 5 s). Prints {@code ready port=N}; runs until killed.
 */
public final class HandlerNodeMain {
    private HandlerNodeMain() {}

    public static void main(String[] args) throws InterruptedException {
        TcpTransport transport = TcpTransport.builder()
                .listen(new InetSocketAddress("127.0.0.1", 0))
                .build();
        Tether.start(TetherConfig.builder(NodeId.of("b"))
                .peers(NodeId.of("a"))
                .transport(transport)
                .store(new InMemoryStore())
                .durability(Durability.MEMORY)
                .handle("echo", call -> {
                    call.replyHeader("trace", call.headers().getOrDefault("trace", "-"));
                    return call.payloadBytes();
                })
                .handle("fail", call -> {
                    throw new IllegalStateException(
                            "refused: " + new String(call.payloadBytes(), StandardCharsets.UTF_8));
                })
                .handleAsync(
                        "slow",
                        call -> CompletableFuture.supplyAsync(
                                () -> null, CompletableFuture.delayedExecutor(5, TimeUnit.SECONDS)))
                .build());
        System.out.println("ready port=" + transport.boundAddress().getPort());
        new CountDownLatch(1).await();
    }
}
