package dev.tether.internal.call;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.CallKind;
import dev.tether.NodeId;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CallHeadersTest {
    @Test
    void aCallCarriesTheApplicationsHeadersThenTheReservedOnes() {
        Map<String, String> h = CallHeaders.call(Map.of("k", "v"), "orders.create", CallKind.REQUEST, true);
        assertThat(h)
                .containsExactly(
                        Map.entry("k", "v"),
                        Map.entry(":h", "orders.create"),
                        Map.entry(":k", "r"),
                        Map.entry(":w", "1"));
        assertThat(CallHeaders.call(Map.of(), "x", CallKind.TELL, false)).doesNotContainKey(":w");
        for (CallKind k : CallKind.values())
            assertThat(CallHeaders.kind(CallHeaders.code(k))).isEqualTo(k);
        assertThat(CallHeaders.kind("p")).isNull();
        assertThat(CallHeaders.kind("rr")).isNull();
        assertThat(CallHeaders.kind("")).isNull();
    }

    @Test
    void theApplicationSeesNoReservedHeaders() {
        Map<String, String> mixed = new LinkedHashMap<>();
        mixed.put("a", "1");
        mixed.put(":h", "x");
        mixed.put("b", "2");
        assertThat(CallHeaders.application(mixed)).containsExactly(Map.entry("a", "1"), Map.entry("b", "2"));
        Map<String, String> plain = Map.of("a", "1");
        assertThat(CallHeaders.application(plain)).isSameAs(plain);
    }

    @Test
    void correlationRoundTripsAndRejectsMalformedValues() {
        String c = CallHeaders.correlation("orders.create", 42, 0xabcL);
        assertThat(c).isEqualTo("orders.create#42#abc");
        assertThat(Correlation.parse(c)).isEqualTo(new Correlation("orders.create", 42, 0xabc));
        assertThat(Correlation.parse(CallHeaders.correlation("l", 1, -1)).epoch())
                .isEqualTo(-1); // unsigned hex
        assertThat(Correlation.parse(c).key(NodeId.of("b")))
                .isEqualTo(new CallKey(NodeId.of("b"), "orders.create", 42));
        assertThat(Correlation.parse("a#b#7#1")).isNull(); // '#' is no lane character
        assertThat(Correlation.parse(CallHeaders.correlation("l", Long.MAX_VALUE, 1))
                        .seq())
                .isEqualTo(Long.MAX_VALUE);
        for (String bad : new String[] {
            null,
            "",
            "#1#1",
            "l#1",
            "l#",
            "l#0#1",
            "l#-1#1",
            "l#1x#1",
            "l 1#2#1",
            "l#1#",
            "l#1#0",
            "l#1#xyz",
            "l#1#12345678901234567",
            "l#99999999999999999999#1",
            "l#9223372036854775808#1"
        }) {
            assertThat(Correlation.parse(bad)).as(bad).isNull();
        }
    }

    @Test
    void errorMessagesAreCut() {
        assertThat(CallHeaders.errorMessage(null)).isEmpty();
        String longOne = "x".repeat(10_000);
        assertThat(CallHeaders.errorMessage(longOne)).hasSize(CallHeaders.MAX_ERROR_MESSAGE + 3);
    }
}
