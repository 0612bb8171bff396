package dev.tether.transport.tcp.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Properties;
import org.junit.jupiter.api.Test;

class NettyDefaultsTest {
    @Test
    void turnsNettysJfrEventsOffWhenNothingSaysOtherwise() {
        Properties p = new Properties();

        NettyDefaults.apply(p);

        assertThat(p.getProperty("io.netty.jfr.enabled")).isEqualTo("false");
    }

    @Test
    void keepsAValueTheApplicationSet() {
        Properties p = new Properties();
        p.setProperty("io.netty.jfr.enabled", "true");

        NettyDefaults.apply(p);

        assertThat(p.getProperty("io.netty.jfr.enabled")).isEqualTo("true");
    }
}
