package dev.tether.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.ChannelRole;
import dev.tether.Durability;
import dev.tether.MessageHandler;
import dev.tether.NodeId;
import dev.tether.Outcome;
import dev.tether.RetryPolicy;
import dev.tether.SendReceipt;
import dev.tether.TetherNode;
import dev.tether.bus.Address;
import dev.tether.bus.Bus;
import dev.tether.bus.HistoryOptions;
import dev.tether.node.Tether;
import dev.tether.node.TetherConfig;
import dev.tether.store.sqlite.SqliteStore;
import dev.tether.testkit.Await;
import dev.tether.testkit.Closer;
import dev.tether.testkit.NodeCrash;
import dev.tether.transport.tcp.TcpTransport;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.Alert;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.Select;

/**
 * The dashboard in a real headless Chromium (Debian's {@code chromium} and {@code chromium-driver}, driven by
 * Selenium): two nodes over TCP with SQLite stores, the dashboard of node b. The page shows both connected, its
 * counters move while messages flow, a dead letter replayed from the page reaches a's handler and one purged from it
 * is gone, channel news shows reader a with its cursor and backlog, and node a killed shows as down; the bus's endpoints,
 * its routing rules (added, disabled and removed from the page) and the message history (queried from the page) are
 * there too. Screenshots of each step go to {@code target/screenshots/}. Fails, never skips, when Chromium cannot be
 * started.
 */
class DashboardBrowserTest {
    private static final Duration DEADLINE = Duration.ofSeconds(30);
    private static final RetryPolicy FAST = new RetryPolicy(2, Duration.ofMillis(5), Duration.ofMillis(5), 1.0);

    @TempDir
    Path dir;

    private final Closer open = new Closer();
    private final List<String> seenByA = new CopyOnWriteArrayList<>();
    private TetherNode a;
    private TetherNode b;
    private String page;
    private ChromeDriver browser;

    @BeforeEach
    void start() throws Exception {
        TcpTransport tb = TcpTransport.builder()
                .listen(new InetSocketAddress("127.0.0.1", 0))
                .build();
        b = node("b", "a", tb, d -> {
            if (new String(d.payloadBytes(), StandardCharsets.UTF_8).startsWith("poison")) {
                throw new IllegalStateException("cannot digest " + d.seq());
            }
        });
        TcpTransport ta = TcpTransport.builder()
                .listen(new InetSocketAddress("127.0.0.1", 0))
                .peer(NodeId.of("b"), tb.boundAddress())
                .build();
        a = node("a", "b", ta, d -> seenByA.add(d.lane() + ":" + new String(d.payloadBytes(), StandardCharsets.UTF_8)));
        b.addPeer(NodeId.of("a"), List.of(HostPort.format(ta.boundAddress())));
        AdminServer admin = AdminServer.start(new InetSocketAddress("127.0.0.1", 0), b, 1 << 20);
        open.add(admin);
        page = "http://" + HostPort.format(admin.address()) + "/dashboard?intervalMs=200";
        browser = Chromium.start();
    }

    @AfterEach
    void stop() throws Exception {
        if (browser != null) browser.quit();
        open.close();
    }

    private TetherNode node(String id, String peer, TcpTransport t, MessageHandler handler) {
        TetherNode n = Tether.start(TetherConfig.builder(NodeId.of(id))
                .peers(NodeId.of(peer))
                .transport(t)
                .store(new SqliteStore(dir.resolve(id + ".db")))
                .durability(Durability.OS_BUFFERED)
                .retryPolicy(FAST)
                .handler(handler)
                .history(HistoryOptions.DEFAULT)
                .build());
        open.add(n::close);
        return n;
    }

    @Test
    void theDashboardShowsTheClusterLiveAndItsButtonsWork() throws Exception {
        browser.get(page);
        waitFor(() -> text("node-id").equals("b") && peerState("a").equals("connected"), "a connected on the page");
        assertThat(browser.getTitle()).isEqualTo("Tether node");
        waitFor(
                () -> browser.findElement(By.cssSelector("#latency tr[data-peer=a] td.num"))
                        .getText()
                        .matches("\\d+\\.\\d{3}"),
                "a's round trip shown in ms");
        screenshot("1-connected");

        countersMoveWhileMessagesFlow();
        rateFollowsTheFlow();
        channelShowsItsReader();
        screenshot("2-counters");

        deadLetterReplayedFromThePageReachesTheHandler();
        screenshot("3-replayed");
        deadLetterPurgedFromThePageIsGone();

        NodeCrash.crash(a); // as SIGKILL would: nothing more is sent, the connection drops
        waitFor(() -> peerState("a").equals("down"), "a shown down");
        waitFor(
                () -> browser.findElements(By.cssSelector("#events li[data-kind=PeerDisconnected]"))
                                .size()
                        > 0,
                "the disconnection among the recent events");
        for (int i = 4; i <= 5; i++)
            b.publish("news", ("n" + i).getBytes(StandardCharsets.UTF_8)).get(10, TimeUnit.SECONDS);
        waitFor(
                () -> channelCells("a").equals(List.of("news", "WRITE", "5", "a", "down", "3", "2", "Kick")),
                "a's backlog");
        screenshot("4-peer-down");
        kickAndReadmitFromThePage();
        kickFromTheClusterAndReadmitFromThePage();
    }

    /**
     * b's endpoint orders takes three messages from a's endpoint shop: its row counts them. A rule typed into the page
     * drops a message to b/spam and counts it; Disable and Remove on its row change the node's rules. The history form
     * finds the three messages by agent and direction, and shows the node's refusal of a bad duration.
     */
    @Test
    void theBusEndpointsRulesAndHistoryAreOnThePage() throws Exception {
        Bus busB = Tether.bus(b);
        busB.endpoint("orders", d -> {});
        dev.tether.bus.Endpoint shop = Tether.bus(a).endpoint("shop", d -> {});
        for (int i = 1; i <= 3; i++) {
            shop.send(Address.of(NodeId.of("b"), "orders"), ("o" + i).getBytes(StandardCharsets.UTF_8))
                    .processed()
                    .get(10, TimeUnit.SECONDS);
        }
        browser.get(page);
        waitFor(
                () -> cells("#endpoints tr[data-endpoint=orders] td")
                        .equals(List.of("orders", "registered", "no", "-", "0", "3", "3", "0", "0")),
                "orders with its three messages processed");

        browser.findElement(By.id("rule-text")).sendKeys("name=no-spam priority=10 recipient=spam action=drop");
        browser.findElement(By.id("rule-add")).click();
        waitFor(() -> text("status").startsWith("added: "), "the rule's answer shown");
        assertThat(shop.send(Address.of(NodeId.of("b"), "spam"), new byte[] {1})
                        .processed()
                        .get(10, TimeUnit.SECONDS))
                .isEqualTo(Outcome.DROPPED);
        waitFor(
                () -> cells("#rules tr[data-rule=no-spam] td")
                        .equals(List.of(
                                "10",
                                "no-spam",
                                "recipient=exact:spam",
                                "drop",
                                "1",
                                "0",
                                "enabled",
                                "Disable Remove")),
                "no-spam listed with one match");
        screenshot("7-bus");
        click(By.cssSelector("#rules tr[data-rule=no-spam] button.disable"));
        waitFor(() -> cells("#rules tr[data-rule=no-spam] td").contains("disabled"), "no-spam shown disabled");
        assertThat(busB.rules().list())
                .singleElement()
                .satisfies(r -> assertThat(r.isEnabled()).isFalse());
        click(By.cssSelector("#rules tr[data-rule=no-spam] button.remove"));
        waitFor(() -> browser.findElements(By.cssSelector("#rules tbody tr")).isEmpty(), "no-spam gone");
        assertThat(busB.rules().list()).isEmpty();

        historyFormFindsAndRefuses();
    }

    private void historyFormFindsAndRefuses() throws Exception {
        WebElement form = browser.findElement(By.id("history-form"));
        form.findElement(By.name("agent")).sendKeys("orders");
        new Select(form.findElement(By.name("direction"))).selectByValue("in");
        browser.findElement(By.id("history-search")).click();
        waitFor(() -> text("history-status").equals("3 entries"), "three entries found");
        List<WebElement> rows = browser.findElements(By.cssSelector("#history tbody tr"));
        assertThat(rows).hasSize(3);
        for (WebElement r : rows) {
            List<String> c = r.findElements(By.tagName("td")).stream()
                    .map(WebElement::getText)
                    .toList();
            assertThat(List.of(c.get(2), c.get(3), c.get(4), c.get(5), c.get(7), c.get(8)))
                    .containsExactly("in", "direct", "a", "_a.orders", "shop", "orders");
        }
        screenshot("8-history");
        WebElement since = form.findElement(By.name("since"));
        since.clear();
        since.sendKeys("soon");
        browser.findElement(By.id("history-search")).click();
        waitFor(() -> text("history-status").startsWith("refused (HTTP 400): since"), "the bad duration refused");
    }

    private List<String> cells(String css) {
        return browser.findElements(By.cssSelector(css)).stream()
                .map(WebElement::getText)
                .toList();
    }

    /** a reads channel news, b writes it: b's page lists a as the reader of its log, with cursor and backlog. */
    private void channelShowsItsReader() throws Exception {
        a.join("news", ChannelRole.READ).get(10, TimeUnit.SECONDS);
        b.join("news", ChannelRole.WRITE).get(10, TimeUnit.SECONDS);
        for (int i = 1; i <= 3; i++)
            b.publish("news", ("n" + i).getBytes(StandardCharsets.UTF_8)).get(10, TimeUnit.SECONDS);
        waitFor(() -> seenByA.contains("_c.news:n3"), "a took the third publish");
        waitFor(
                () -> channelCells("a").equals(List.of("news", "WRITE", "3", "a", "connected", "3", "0", "Kick")),
                "news with reader a at cursor 3, nothing behind");
    }

    /** Kick on a's row of news: a is shown kicked (its backlog dropped); Readmit on that row: the row goes. */
    private void kickAndReadmitFromThePage() throws Exception {
        By kick = By.cssSelector("#channels tr[data-channel=news][data-reader=a] button.kick");
        clickAndAnswer(kick, "Kick a from #news?", false);
        assertThat(text("status")).as("a kick not confirmed is not made").doesNotStartWith("kick a on #news");
        assertThat(channelCells("a")).as("a still a reader").isNotEmpty();
        clickAndAnswer(kick, "Kick a from #news?", true);
        waitFor(
                () -> browser.findElements(By.cssSelector("#channels tr[data-channel=news][data-kicked=a] td.kicked"))
                                .size()
                        == 1,
                "a shown kicked from news");
        waitFor(() -> channelCells("a").isEmpty(), "a no longer listed as a reader"); // rows may re-render meanwhile
        // the table polls on its own: it may show the kick before the page has the answer to its request
        waitFor(() -> text("status").startsWith("kick a on #news: "), "the kick's answer shown");
        assertThat(text("status")).contains("\"dropped\":2");
        screenshot("5-kicked");
        click(By.cssSelector("#channels tr[data-channel=news][data-kicked=a] button.readmit"));
        waitFor(
                () -> browser.findElements(By.cssSelector("#channels tr[data-kicked=a]"))
                        .isEmpty(),
                "a no longer shown kicked");
    }

    /**
     * Kick on a's peer row: a is no peer of b any more and shown kicked from the cluster; Readmit on that row: a is
     * b's peer again (down: it was crashed).
     */
    private void kickFromTheClusterAndReadmitFromThePage() throws Exception {
        clickAndAnswer(By.cssSelector("#peers tr[data-peer=a] button.kick"), "Kick a from the cluster?", true);
        waitFor(
                () -> browser.findElements(By.cssSelector("#peers tr[data-kicked=a] td.kicked"))
                                .size()
                        == 1,
                "a shown kicked from the cluster");
        waitFor(() -> peerState("a").isEmpty(), "a no longer listed as a peer");
        waitFor(() -> text("status").startsWith("kick a (cluster): "), "the kick's answer shown");
        assertThat(text("status")).contains("\"wasKnown\":true");
        assertThat(b.peers()).noneMatch(p -> p.id().equals(NodeId.of("a")));
        screenshot("6-kicked-from-cluster");
        click(By.cssSelector("#peers tr[data-kicked=a] button.readmit"));
        waitFor(() -> peerState("a").equals("down"), "a a peer again, down");
        assertThat(browser.findElements(By.cssSelector("#peers tr[data-kicked=a]")))
                .isEmpty();
    }

    /** The cells of the channels table's row for {@code reader} of news. */
    private List<String> channelCells(String reader) {
        return browser
                .findElements(By.cssSelector("#channels tr[data-channel=news][data-reader=" + reader + "] td"))
                .stream()
                .map(WebElement::getText)
                .toList();
    }

    private void countersMoveWhileMessagesFlow() throws Exception {
        long before = Long.parseLong(text("total-delivered"));
        for (int round = 1; round <= 2; round++) {
            List<SendReceipt> sent = new ArrayList<>();
            for (int i = 0; i < 100; i++) sent.add(a.send(NodeId.of("b"), ("m" + i).getBytes(StandardCharsets.UTF_8)));
            for (SendReceipt r : sent) r.processed().get(10, TimeUnit.SECONDS);
            long expected = before + 100L * round;
            waitFor(() -> Long.parseLong(text("total-delivered")) >= expected, "delivered counter at " + expected);
        }
        waitFor(
                () -> browser.findElements(By.cssSelector("#streams tr[data-stream='INBOUND a default']"))
                                .size()
                        == 1,
                "the inbound stream from a listed");
    }

    /** The msg/s column of the inbound stream: above zero while a sends, back to zero once it stopped. */
    private void rateFollowsTheFlow() throws Exception {
        AtomicBoolean sending = new AtomicBoolean(true);
        Thread sender = new Thread(() -> {
            for (int i = 0; sending.get(); i++) {
                try {
                    a.send(NodeId.of("b"), ("r" + i).getBytes(StandardCharsets.UTF_8))
                            .processed()
                            .get(10, TimeUnit.SECONDS);
                } catch (Exception e) {
                    return; // the test fails below if nothing flows
                }
            }
        });
        sender.start();
        try {
            waitFor(() -> inboundRate() > 0, "a rate above zero while a sends");
        } finally {
            sending.set(false);
            sender.join(10_000);
        }
        waitFor(() -> inboundRate() == 0, "the rate back at zero once a stopped");
    }

    /** The msg/s cell of the inbound stream from a; -1 while it shows none yet. */
    private double inboundRate() {
        List<WebElement> cells =
                browser.findElements(By.cssSelector("#streams tr[data-stream='INBOUND a default'] td"));
        String rate = cells.size() > 6 ? cells.get(6).getText() : "-";
        return rate.equals("-") ? -1 : Double.parseDouble(rate);
    }

    private void deadLetterReplayedFromThePageReachesTheHandler() throws Exception {
        assertThat(a.send(NodeId.of("b"), "orders", "poison-1".getBytes(StandardCharsets.UTF_8))
                        .processed()
                        .get(10, TimeUnit.SECONDS))
                .isEqualTo(Outcome.DEAD_LETTERED);
        waitFor(() -> deadLetterRows() == 1, "the dead letter listed");
        WebElement row = browser.findElement(By.cssSelector("#dead-letters tbody tr"));
        assertThat(row.getDomAttribute("data-id")).startsWith("a/orders/").endsWith("/1");
        // The page keeps a dead letter's row while it is listed, so what is typed there stays until the click.
        new Select(row.findElement(By.cssSelector("select.to"))).selectByValue("a");
        WebElement lane = row.findElement(By.cssSelector("input.lane"));
        lane.clear();
        lane.sendKeys("replayed");
        String shown = text("uptime");
        waitFor(() -> !text("uptime").equals(shown), "a later snapshot rendered");
        assertThat(row.findElement(By.cssSelector("input.lane")).getDomProperty("value"))
                .as("what was typed survives the page's updates")
                .isEqualTo("replayed");
        row.findElement(By.cssSelector("button.replay")).click();
        waitFor(() -> seenByA.contains("replayed:poison-1"), "the replayed message reached a's handler");
        waitFor(() -> deadLetterRows() == 0, "the replayed dead letter gone from the page");
        // The row can vanish with the next snapshot before the page has read the replay's answer: wait for both.
        waitFor(() -> text("status").startsWith("replayed a/orders/"), "the replay's answer shown");
    }

    private void deadLetterPurgedFromThePageIsGone() throws Exception {
        a.send(NodeId.of("b"), "poison-2".getBytes(StandardCharsets.UTF_8))
                .processed()
                .get(10, TimeUnit.SECONDS);
        waitFor(() -> deadLetterRows() == 1, "the second dead letter listed");
        clickAndAnswer(By.cssSelector("#dead-letters tbody tr button.purge"), "Purge dead letter", true);
        waitFor(() -> deadLetterRows() == 0, "the purged dead letter gone");
        assertThat(Tether.management(b).deadLetters(10, false)).isEmpty();
        assertThat(seenByA).doesNotContain("default:poison-2");
    }

    private int deadLetterRows() {
        return browser.findElements(By.cssSelector("#dead-letters tbody tr")).size();
    }

    private String peerState(String peer) {
        List<WebElement> l = browser.findElements(By.cssSelector("#peers tr[data-peer='" + peer + "'] td.state"));
        return l.isEmpty() ? "" : l.get(0).getText();
    }

    private String text(String id) {
        return browser.findElement(By.id(id)).getText();
    }

    /** Clicks what {@code by} finds, finding it again if the page re-rendered it meanwhile. */
    private void click(By by) {
        waitFor(
                () -> {
                    browser.findElement(by).click();
                    return true;
                },
                "a click on " + by);
    }

    /** Clicks a button that asks first (a kick, a purge), and accepts or dismisses its question. */
    private void clickAndAnswer(By by, String question, boolean accept) {
        click(by);
        Alert[] asked = {null};
        waitFor(
                () -> {
                    asked[0] = browser.switchTo().alert();
                    return true;
                },
                "the question " + question);
        assertThat(asked[0].getText()).contains(question);
        if (accept) asked[0].accept();
        else asked[0].dismiss();
    }

    private void waitFor(BooleanSupplier condition, String what) {
        Await.until(
                DEADLINE,
                () -> {
                    try {
                        return condition.getAsBoolean();
                    } catch (WebDriverException | NumberFormatException rerendered) {
                        return false; // the page replaced the element while it was read: read again
                    }
                },
                () -> what + "; page text:\n"
                        + browser.findElement(By.tagName("body")).getText());
    }

    private void screenshot(String name) throws Exception {
        Chromium.screenshot(browser, "dashboard-" + name);
    }
}
