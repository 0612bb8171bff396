package dev.tether.internal.call;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.ChannelRole;
import dev.tether.HandlerNotAdvertisedException;
import dev.tether.NodeClosedException;
import dev.tether.NodeId;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
        views.await(B, false, "x", 100, Duration.ofMillis(100), x);
        views.await(B, false, "y", 200, Duration.ofMillis(200), y);
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
        views.await(B, false, "x", 1, Duration.ofMillis(1), now);
        assertThat(now).isCompleted();
        CompletableFuture<Void> closing = new CompletableFuture<>();
        views.await(B, false, "z", 1000, Duration.ofSeconds(1), closing);
        views.failAll(new NodeClosedException("stopping"));
        assertThatThrownBy(closing::join).hasCauseInstanceOf(NodeClosedException.class);
    }

    private static Advertisement decode(String text) {
        return Advertisement.decode(text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void channelsRoundTripAsNameAndRoleSortedByName() {
        Map<String, ChannelRole> joined =
                Map.of("orders", ChannelRole.WRITE, "news", ChannelRole.READ, "chat", ChannelRole.READ_WRITE);
        List<String> entries = Advertisement.channelEntries(joined);
        assertThat(entries).containsExactly("chat:READ_WRITE", "news:READ", "orders:WRITE");
        Advertisement a = new Advertisement(B, "1.2.3", 7, 1, List.of("h"), entries);
        assertThat(new String(a.encode(), StandardCharsets.UTF_8))
                .contains("\nchannels chat:READ_WRITE news:READ orders:WRITE\n");
        Advertisement back = Advertisement.decode(a.encode());
        assertThat(back).isEqualTo(a);
        assertThat(back.dropped()).isEmpty();
        assertThat(back.channelRoles()).isEqualTo(joined);
        assertThat(back.channelRoles().keySet()).containsExactly("chat", "news", "orders");
    }

    @Test
    void bogusChannelEntriesAreDroppedOneByOneAndTheRestIsKept() {
        Advertisement a = decode("tether-hello 1\nid b\nseq 1\nhandlers h\nchannels zz:READ bad/name:READ"
                + " _all:READ nocolon news:ADMIN  news:WRITE news:READ :READ\n");
        assertThat(a.handlers()).containsExactly("h");
        assertThat(a.channels()).containsExactly("news:WRITE", "zz:READ");
        assertThat(a.dropped())
                .containsExactly(
                        "channel 'bad/name:READ' (invalid channel 'bad/name': expected 1-61 characters from [A-Za-z0-9._-])",
                        "channel '_all:READ' (channel '_all' starts with '_', which is reserved for Tether's own channels (such as _all))",
                        "channel 'nocolon' (not name:ROLE)",
                        "channel 'news:ADMIN' (unknown role 'ADMIN')",
                        "channel '' (not name:ROLE)",
                        "channel 'news:READ' (channel listed twice)",
                        "channel ':READ' (invalid channel '': expected 1-61 characters from [A-Za-z0-9._-])");
    }

    @Test
    void atMost1024ChannelsAreAdvertisedAndAccepted() {
        Map<String, ChannelRole> many = new java.util.HashMap<>();
        StringBuilder line = new StringBuilder("tether-hello 1\nid b\nseq 1\nchannels");
        for (int i = 0; i < 1100; i++) {
            String name = "c".repeat(57) + String.format("%04d", i); // 61 characters, the longest name
            many.put(name, ChannelRole.READ_WRITE);
            line.append(' ').append(name).append(":READ_WRITE");
        }
        List<String> entries = Advertisement.channelEntries(many);
        assertThat(entries).hasSize(Advertisement.MAX_CHANNELS).startsWith("c".repeat(57) + "0000:READ_WRITE");
        List<String> handlers = new ArrayList<>();
        for (int i = 0; i < 1024; i++) handlers.add("h".repeat(60) + String.format("%04d", i));
        Advertisement full = new Advertisement(B, "1.2.3", 7, 1, handlers, entries);
        assertThat(full.encode().length).isLessThanOrEqualTo(Advertisement.MAX_BYTES);
        assertThat(Advertisement.decode(full.encode())).isEqualTo(full);
        Advertisement tooMany = decode(line + "\n");
        assertThat(tooMany.channels()).hasSize(Advertisement.MAX_CHANNELS);
        assertThat(tooMany.dropped()).hasSize(Advertisement.MAX_DROPPED_LISTED + 1);
        assertThat(tooMany.dropped().get(0)).endsWith("(more than 1024 channels)");
        assertThat(tooMany.dropped().get(Advertisement.MAX_DROPPED_LISTED)).isEqualTo("and 68 more");
    }

    @Test
    void aPeersChannelsAreKeptWithItsHandlersAndForgottenOnReconnect() {
        PeerHandlers views = new PeerHandlers();
        views.apply(new Advertisement(B, "1", 7, 1, List.of("h"), List.of("news:READ")));
        assertThat(views.channels(B)).isEqualTo(Map.of("news", ChannelRole.READ));
        views.apply(new Advertisement(B, "1", 7, 2, List.of("h"), List.of()));
        assertThat(views.channels(B)).isEmpty();
        views.apply(new Advertisement(B, "1", 7, 3, List.of(), List.of("news:WRITE")));
        views.reconnected(B);
        assertThat(views.channels(B)).isEmpty();
        assertThat(views.channels(NodeId.of("never"))).isEmpty();
    }

    @Test
    void endpointsRoundTripSortedAtMost4096WithTheRestSaidAndBogusOnesDroppedAlone() {
        List<String> names = new ArrayList<>();
        for (int i = 4100; i > 0; i--) names.add("e".repeat(27) + String.format("%05d", i)); // 32, the longest
        List<String> first = Advertisement.firstEndpoints(names);
        assertThat(first)
                .hasSize(Advertisement.MAX_ENDPOINTS)
                .startsWith("e".repeat(27) + "00001")
                .isSorted();
        List<String> handlers = new ArrayList<>();
        List<String> channels = new ArrayList<>();
        for (int i = 0; i < 1024; i++) {
            handlers.add("h".repeat(60) + String.format("%04d", i));
            channels.add("c".repeat(57) + String.format("%04d", i) + ":READ_WRITE");
        }
        Advertisement full = new Advertisement(B, "1", 7, 1, handlers, channels, first, true, List.of());
        assertThat(full.encode().length).isLessThanOrEqualTo(Advertisement.MAX_BYTES);
        assertThat(Advertisement.decode(full.encode())).isEqualTo(full);
        Advertisement none = new Advertisement(B, "1", 7, 1, List.of(), List.of());
        assertThat(new String(none.encode(), StandardCharsets.UTF_8)).doesNotContain("endpoints");

        Advertisement a = decode("tether-hello 1\nid b\nseq 1\nhandlers h\nchannels news:READ\n"
                + "endpoints zed bob _sys bad/name bob " + "x".repeat(33) + " a:b\n");
        assertThat(a.endpoints()).containsExactly("bob", "zed");
        assertThat(a.endpointsMore()).isFalse();
        assertThat(a.handlers()).containsExactly("h");
        assertThat(a.channels()).containsExactly("news:READ");
        assertThat(a.dropped())
                .hasSize(5)
                .anySatisfy(d -> assertThat(d).startsWith("endpoint '_sys' ("))
                .anySatisfy(d -> assertThat(d).startsWith("endpoint 'bad/name' (invalid agent name"))
                .contains("endpoint 'bob' (endpoint listed twice)", "endpoint 'a:b' (not an endpoint name)");
    }

    @Test
    void awaitingAnEndpointIsSeparateFromAwaitingAHandlerOfTheSameName() {
        PeerHandlers views = new PeerHandlers();
        CompletableFuture<Void> endpoint = new CompletableFuture<>();
        CompletableFuture<Void> handler = new CompletableFuture<>();
        views.await(B, true, "x", 100, Duration.ofMillis(100), endpoint);
        views.await(B, false, "y", 100, Duration.ofMillis(100), handler);
        views.apply(new Advertisement(B, "1", 7, 1, List.of("x"), List.of(), List.of("y"), true, List.of()));
        assertThat(endpoint).isNotDone();
        assertThat(handler).isNotDone();
        assertThat(views.endpoints(B)).containsExactly("y");
        views.tick(100);
        assertThatThrownBy(endpoint::join)
                .hasCauseInstanceOf(dev.tether.bus.EndpointNotAdvertisedException.class)
                .hasMessageContaining("node b did not advertise endpoint 'x'")
                .hasMessageContaining("lists [y] and says it has more");
        assertThatThrownBy(handler::join).hasCauseInstanceOf(HandlerNotAdvertisedException.class);
        CompletableFuture<Void> now = new CompletableFuture<>();
        views.await(B, true, "y", 1000, Duration.ofSeconds(1), now);
        assertThat(now).isCompleted();
    }
}
