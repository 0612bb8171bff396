package dev.tether.internal.call;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.HandlerNotAdvertisedException;
import dev.tether.NodeClosedException;
import dev.tether.NodeId;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The advertisement format and the per-peer views built from advertisements. */
class AdvertisementTest {
    private static final NodeId B = NodeId.of("b");

    private static Advertisement ad(long seq, String... handlers) {
        return new Advertisement(B, "1.2.3", 0xabcdefL, seq, List.of(handlers), List.of());
    }

    @Test
    void roundTripsAndSkipsFieldsOfLaterVersions() {
        Advertisement a = ad(42, "a.x", "b-y");
        assertThat(Advertisement.decode(a.encode())).isEqualTo(a);
        String later = new String(a.encode(), StandardCharsets.UTF_8) + "future-field something\n";
        assertThat(Advertisement.decode(later.getBytes(StandardCharsets.UTF_8))).isEqualTo(a);
        assertThat(Advertisement.decode(ad(1).encode()).handlers()).isEmpty();
    }

    @Test
    void decodingSortsNamesAndRefusesOversizedPayloads() {
        byte[] p = "tether-hello 1\nid b\nseq 1\nhandlers z a m\n".getBytes(StandardCharsets.UTF_8);
        assertThat(Advertisement.decode(p).handlers()).containsExactly("a", "m", "z");
        assertThatThrownBy(() -> Advertisement.decode(new byte[Advertisement.MAX_BYTES + 1]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at most " + Advertisement.MAX_BYTES);
        List<String> max = new ArrayList<>();
        for (int i = 0; i < 1024; i++) max.add("h".repeat(60) + String.format("%04d", i));
        assertThat(Advertisement.decode(ad(1, max.toArray(String[]::new)).encode())
                        .handlers())
                .hasSize(1024);
    }

    @Test
    void aStaleAdvertisementNeverReplacesANewerOne() {
        PeerHandlers views = new PeerHandlers();
        assertThat(views.apply(ad(5, "new"))).isTrue();
        assertThat(views.apply(ad(3, "old"))).isFalse();
        assertThat(views.apply(ad(5, "same.seq"))).isFalse();
        assertThat(views.handlers(B)).containsExactly("new");
        assertThat(views.stale()).isEqualTo(2);
        assertThat(views.apply(ad(6))).isTrue();
        assertThat(views.handlers(B)).isEmpty();
    }

    @Test
    void waitsCompleteOnTheAdvertisementThatNamesTheHandlerAndFailAtTheirDeadline() {
        PeerHandlers views = new PeerHandlers();
        CompletableFuture<Void> x = new CompletableFuture<>();
        CompletableFuture<Void> y = new CompletableFuture<>();
        views.await(B, "x", 100, Duration.ofMillis(100), x);
        views.await(B, "y", 200, Duration.ofMillis(200), y);
        views.apply(ad(1, "x"));
        assertThat(x).isCompleted();
        assertThat(y).isNotDone();
        views.tick(199);
        assertThat(y).isNotDone();
        views.tick(200);
        assertThat(y).isCompletedExceptionally();
        assertThatThrownBy(y::join)
                .hasCauseInstanceOf(HandlerNotAdvertisedException.class)
                .hasMessageContaining("its latest advertisement lists [x]");
        assertThat(views.waiting()).isZero();
        CompletableFuture<Void> now = new CompletableFuture<>();
        views.await(B, "x", 1, Duration.ofMillis(1), now);
        assertThat(now).isCompleted();
        CompletableFuture<Void> closing = new CompletableFuture<>();
        views.await(B, "z", 1000, Duration.ofSeconds(1), closing);
        views.failAll(new NodeClosedException("stopping"));
        assertThatThrownBy(closing::join).hasCauseInstanceOf(NodeClosedException.class);
    }
}
