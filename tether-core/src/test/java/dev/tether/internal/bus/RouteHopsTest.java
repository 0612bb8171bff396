package dev.tether.internal.bus;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The hop count a routed copy carries ({@value RouteEffects#HOPS}): a message without one has made no hop; 1 to
 * {@value RouteEffects#MAX_HOPS} are hops; anything else, which only a peer that does not follow the protocol sends, is
 * invalid (-1), which routing dead-letters as "invalid hop count header" (docs/MESSAGING.md, "Routing rules").
 */
class RouteHopsTest {
    @Test
    void aMissingCountIsNoHopAndOneToEightAreHops() {
        assertThat(RouteEffects.hops(Map.of())).isZero();
        assertThat(RouteEffects.hops(Map.of("t", "x"))).isZero();
        for (int n = 1; n <= RouteEffects.MAX_HOPS; n++) {
            assertThat(RouteEffects.hops(Map.of(RouteEffects.HOPS, Integer.toString(n))))
                    .isEqualTo(n);
        }
    }

    @Test
    void anyOtherCountIsInvalid() {
        for (String bad : new String[] {"", "0", "9", "12", "x", "-1", " 1", "١"}) {
            assertThat(RouteEffects.hops(Map.of(RouteEffects.HOPS, bad)))
                    .as("'" + bad + "'")
                    .isEqualTo(-1);
        }
    }
}
