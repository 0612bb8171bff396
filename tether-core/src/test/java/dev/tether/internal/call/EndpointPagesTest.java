package dev.tether.internal.call;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.CallKind;
import dev.tether.NodeId;
import dev.tether.internal.engine.InboundMessage;
import dev.tether.internal.engine.StreamKey;
import dev.tether.internal.runtime.MessageConsumer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code _list_endpoints} (docs/PROTOCOL.md, "System handlers"): pages in name order from a name, the request and the
 * page validated, and a malformed request answered with an error reply through the call layer (the node goes on).
 */
class EndpointPagesTest {
    private final FakeHost host = new FakeHost();
    private final CallLayer layer = new CallLayer(host);
    private final List<String> names = new ArrayList<>();

    EndpointPagesTest() {
        for (int i = 9_999; i >= 0; i--) names.add(String.format("e%04d", i)); // 10,000, in reverse order
        layer.endpoints(() -> names);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** {@code payload} delivered to {@code _list_endpoints} as a call of {@code kind} from node a. */
    private FakeDelivery ask(CallKind kind, byte[] payload) {
        Map<String, String> headers = CallHeaders.call(Map.of(), EndpointPages.HANDLER, kind, false);
        InboundMessage m = new InboundMessage(7, host.now + 5_000, headers, payload, false, 1, FakeDelivery.EPOCH);
        FakeDelivery d = new FakeDelivery(new StreamKey(NodeId.of("a"), Advertiser.LANE), m, () -> host.now);
        MessageConsumer c = layer.route(d.key, d.message);
        assertThat(c.executor()).isNull(); // the node thread
        c.consume(d);
        return d;
    }

    @Test
    void pagesFollowEachOtherInNameOrderFromAName() {
        EndpointPages.Page p = EndpointPages.page(names, new EndpointPages.Request(null, 4096));
        assertThat(p.names())
                .hasSize(4096)
                .startsWith("e0000")
                .endsWith("e4095")
                .isSorted();
        assertThat(p.more()).isTrue();
        EndpointPages.Page next = EndpointPages.page(names, new EndpointPages.Request("e4095", 4096));
        assertThat(next.names()).startsWith("e4095", "e4096").hasSize(4096);
        EndpointPages.Page last = EndpointPages.page(names, new EndpointPages.Request("e8190", 4096));
        assertThat(last.names()).startsWith("e8190").endsWith("e9999").hasSize(1810);
        assertThat(last.more()).isFalse();
        EndpointPages.Page between = EndpointPages.page(names, new EndpointPages.Request("e1234a", 2));
        assertThat(between.names()).containsExactly("e1235", "e1236");
        assertThat(EndpointPages.page(names, new EndpointPages.Request("zz", 10)))
                .isEqualTo(new EndpointPages.Page(List.of(), false));
        assertThat(EndpointPages.page(List.of(), new EndpointPages.Request(null, 1))
                        .names())
                .isEmpty();
        assertThat(names.get(0)).isEqualTo("e9999"); // the node's list is not reordered
    }

    @Test
    void requestsAndPagesSurviveTheirEncoding() {
        EndpointPages.Request r = new EndpointPages.Request("bob", 17);
        assertThat(EndpointPages.decodeRequest(r.encode())).isEqualTo(r);
        assertThat(EndpointPages.decodeRequest(new EndpointPages.Request(null, 1).encode()))
                .isEqualTo(new EndpointPages.Request(null, 1));
        assertThat(EndpointPages.decodeRequest(utf8("tether-list-endpoints 1\nlater-field x\n")))
                .isEqualTo(new EndpointPages.Request(null, EndpointPages.MAX_PAGE));
        EndpointPages.Page p = new EndpointPages.Page(List.of("bob", "carol"), true);
        assertThat(EndpointPages.decodePage(p.encode(), r)).isEqualTo(p);
        EndpointPages.Page empty = new EndpointPages.Page(List.of(), false);
        assertThat(EndpointPages.decodePage(empty.encode(), r)).isEqualTo(empty);
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "-1", "4097", "1000000000000", "many", ""})
    void anAbsurdPageSizeIsRefused(String max) {
        assertThatThrownBy(() -> EndpointPages.decodeRequest(utf8("tether-list-endpoints 1\nmax " + max + "\n")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is not a page size (1-4096)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"bad name", "a.b", "_reserved", "x123456789012345678901234567890123", ""})
    void aBadNameIsRefused(String from) {
        assertThatThrownBy(() -> EndpointPages.decodeRequest(utf8("tether-list-endpoints 1\nfrom " + from + "\n")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("from: ");
    }

    @Test
    void otherMalformedRequestsAreRefused() {
        assertThatThrownBy(() -> EndpointPages.decodeRequest(utf8("tether-hello 1\n")))
                .hasMessageContaining("does not start with 'tether-list-endpoints 1'");
        assertThatThrownBy(() -> EndpointPages.decodeRequest(new byte[2048])).hasMessageContaining("at most 1024");
    }

    @Test
    void aMalformedPageIsRefused() {
        EndpointPages.Request r = new EndpointPages.Request("b", 3);
        assertThatThrownBy(() -> EndpointPages.decodePage(utf8("tether-endpoints 1\nendpoints c d e f\n"), r))
                .hasMessageContaining("4 endpoints, more than the 3 asked");
        assertThatThrownBy(() -> EndpointPages.decodePage(utf8("tether-endpoints 1\nendpoints c e d\n"), r))
                .hasMessageContaining("'d' out of order after 'e'");
        assertThatThrownBy(() -> EndpointPages.decodePage(utf8("tether-endpoints 1\nendpoints a c\n"), r))
                .hasMessageContaining("'a' out of order after 'b'");
        assertThatThrownBy(() -> EndpointPages.decodePage(utf8("tether-endpoints 1\nendpoints c c\n"), r))
                .hasMessageContaining("out of order");
        assertThatThrownBy(() -> EndpointPages.decodePage(utf8("tether-endpoints 1\nendpoints c _x\n"), r))
                .hasMessageContaining("endpoint: ");
        assertThatThrownBy(() -> EndpointPages.decodePage(utf8("tether-endpoints 1\nendpoints c  d\n"), r))
                .hasMessageContaining("endpoint: ");
        assertThatThrownBy(() -> EndpointPages.decodePage(utf8("endpoints c\n"), r))
                .hasMessageContaining("does not start with 'tether-endpoints 1'");
        assertThat(EndpointPages.decodePage(utf8("tether-endpoints 1\nendpoints b c\n"), r)
                        .names())
                .containsExactly("b", "c"); // the page starts at its from, inclusive
    }

    @Test
    void theNodeAnswersARequestWithAPageOfItsEndpoints() {
        FakeDelivery d = ask(CallKind.REQUEST, new EndpointPages.Request("e9998", 5).encode());
        assertThat(d.settled).isEqualTo("ackWith");
        assertThat(d.effect.lane()).isEqualTo(dev.tether.Lanes.VOLATILE_REPLY);
        assertThat(d.effect.headers()).containsEntry(":k", "p").doesNotContainKey(":e");
        EndpointPages.Page p = EndpointPages.decodePage(d.effect.payload(), new EndpointPages.Request("e9998", 5));
        assertThat(p).isEqualTo(new EndpointPages.Page(List.of("e9998", "e9999"), false));
        assertThat(ask(CallKind.TELL, new byte[0]).settled).isEqualTo("ack");
        assertThat(layer.stats().invalidCalls()).isZero();
    }

    @Test
    void aMalformedRequestIsAnsweredWithAnErrorNamingItsFaultAndCounted() {
        FakeDelivery d = ask(CallKind.REQUEST, utf8("tether-list-endpoints 1\nmax 99999999\n"));
        assertThat(d.settled).isEqualTo("ackWith"); // settled: the stream goes on
        assertThat(d.effect.headers())
                .containsEntry(":e", IllegalArgumentException.class.getName())
                .containsEntry(":m", "invalid _list_endpoints request: max 99999999 is not a page size (1-4096)");
        FakeDelivery bad = ask(CallKind.REQUEST, utf8("tether-list-endpoints 1\nfrom b\u00e9\n"));
        assertThat(bad.effect.headers().get(":m")).startsWith("invalid _list_endpoints request: from: invalid agent");
        assertThat(layer.stats().invalidCalls()).isEqualTo(2);
        assertThat(ask(CallKind.REQUEST, new EndpointPages.Request(null, 1).encode())
                        .effect
                        .headers())
                .doesNotContainKey(":e"); // and the next request is answered
    }
}
