package dev.tether;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The value forms of an event handle: text and bytes round trips, and a specific error for every bad input. */
class EventHandleTest {
    @Test
    void textAndBytesRoundTrip() {
        EventHandle h = new EventHandle(NodeId.of("orders-1.eu"), "job_7", 1733365102000001L);
        assertThat(h.toString()).isEqualTo("orders-1.eu/job_7/1733365102000001");
        assertThat(EventHandle.parse(h.toString())).isEqualTo(h);
        assertThat(EventHandle.fromBytes(h.toBytes())).isEqualTo(h);
        EventHandle longest = new EventHandle(NodeId.of("n".repeat(64)), "i".repeat(64), Long.MAX_VALUE);
        assertThat(longest.toString()).hasSize(EventHandle.MAX_TEXT_LENGTH);
        assertThat(EventHandle.parse(longest.toString())).isEqualTo(longest);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "a",
                "a/b",
                "a/b/1/2",
                "/b/1",
                "a//1",
                "a/b/",
                "a/b/0",
                "a/b/-3",
                "a/b/+3",
                "a/b/1x",
                "a/b/99999999999999999999",
                "a b/c/1",
                "a/c d/1",
                "a/\u00e9/1"
            })
    void malformedTextIsRefusedWithAnInvalidEventHandleException(String text) {
        assertThatThrownBy(() -> EventHandle.parse(text))
                .isInstanceOf(InvalidEventHandleException.class)
                .hasMessageContaining("event");
    }

    @Test
    void overlongInputAndBadFieldsAreRefused() {
        assertThatThrownBy(() -> EventHandle.parse("a/" + "b".repeat(500) + "/1"))
                .isInstanceOf(InvalidEventHandleException.class)
                .hasMessageContaining("longer than");
        assertThatThrownBy(() -> EventHandle.fromBytes(new byte[1000])).isInstanceOf(InvalidEventHandleException.class);
        assertThatThrownBy(() -> EventHandle.fromBytes("a/b/1\n".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(InvalidEventHandleException.class);
        assertThatThrownBy(() -> EventHandle.parse(null)).isInstanceOf(InvalidEventHandleException.class);
        assertThatThrownBy(() -> new EventHandle(null, "x", 1)).isInstanceOf(InvalidEventHandleException.class);
        assertThatThrownBy(() -> new EventHandle(NodeId.of("a"), "x", 0))
                .isInstanceOf(InvalidEventHandleException.class)
                .hasMessageContaining("generation 0");
        assertThatThrownBy(() -> new EventHandle(NodeId.of("a"), "x/y", 1))
                .isInstanceOf(InvalidEventHandleException.class)
                .hasMessageContaining("invalid event id");
        assertThatThrownBy(() -> EventHandle.parse("a/b/1\u0000")).isInstanceOf(InvalidIdException.class);
    }
}
