package dev.tether.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.testkit.Await;
import dev.tether.testkit.process.ChildJvm;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * The chat page of {@code tether chat --web} in two real headless Chromium sessions, one per node (two processes over
 * TCP, SQLite stores): what is typed on one page shows on both; bob's process is killed with SIGKILL, alice's page
 * shows him down and she types on; bob is started again on his store and the same ports, his page reconnects by
 * itself and shows every message once, in order. Screenshots of each step go to {@code target/screenshots/}.
 */
class ChatBrowserTest {
    private static final Duration DEADLINE = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private final int aliceWeb = CliProcess.freePort();
    private final int bobWeb = CliProcess.freePort();
    private final int alicePort = CliProcess.freePort();
    private final int bobPort = CliProcess.freePort();
    private final List<ChildJvm> processes = new ArrayList<>();
    private final List<ChromeDriver> browsers = new ArrayList<>();

    @AfterEach
    void stop() {
        browsers.forEach(ChromeDriver::quit);
        processes.forEach(ChildJvm::close);
    }

    @Test
    void twoPagesChatAndTheRestartedNodesPageShowsEveryMessageOnceInOrder() throws Exception {
        ChildJvm bob = chat("bob", bobPort, bobWeb, "alice=127.0.0.1:" + alicePort);
        chat("alice", alicePort, aliceWeb, "bob=127.0.0.1:" + bobPort);
        ChromeDriver alicePage = page(aliceWeb);
        ChromeDriver bobPage = page(bobWeb);
        waitFor(
                () -> text(alicePage, "node-id").equals("alice")
                        && member(alicePage, "bob").equals("up"),
                "alice's page");
        waitFor(
                () -> text(bobPage, "node-id").equals("bob")
                        && member(bobPage, "alice").equals("up"),
                "bob's page");
        waitFor(() -> channel(alicePage, "general").equals("joined"), "alice joined, on her page");
        waitFor(() -> channel(bobPage, "general").equals("joined"), "bob joined, on his page");

        type(alicePage, "hello from alice");
        waitFor(() -> messages(bobPage).contains("alice: hello from alice"), "alice's line on bob's page");
        type(bobPage, "hi from bob");
        waitFor(() -> messages(alicePage).contains("bob: hi from bob"), "bob's line on alice's page");
        Chromium.screenshot(alicePage, "chat-1-alice");
        Chromium.screenshot(bobPage, "chat-1-bob");

        bob.kill(); // SIGKILL
        waitFor(() -> member(alicePage, "bob").equals("down"), "bob shown down on alice's page");
        for (int i = 1; i <= 3; i++) type(alicePage, "while bob is away " + i);
        waitFor(() -> messages(alicePage).contains("alice: while bob is away 3"), "alice's lines stored");
        Chromium.screenshot(alicePage, "chat-2-alice-bob-down");

        chat("bob", bobPort, bobWeb, "alice=127.0.0.1:" + alicePort);
        List<String> expected = List.of(
                "alice: hello from alice",
                "bob: hi from bob",
                "alice: while bob is away 1",
                "alice: while bob is away 2",
                "alice: while bob is away 3");
        waitFor(() -> messages(bobPage).size() >= expected.size(), "bob's page reconnected with every message");
        assertThat(messages(bobPage)).as("once each, in order").containsExactlyElementsOf(expected);
        waitFor(() -> member(alicePage, "bob").equals("up"), "bob shown up again on alice's page");
        assertThat(messages(alicePage)).containsExactlyElementsOf(expected);
        Chromium.screenshot(bobPage, "chat-3-bob-restarted");
        Chromium.screenshot(alicePage, "chat-3-alice");
    }

    private ChildJvm chat(String id, int port, int web, String peer) {
        ChildJvm c = CliProcess.start(
                "chat-" + id,
                "chat",
                "--id",
                id,
                "--listen",
                "127.0.0.1:" + port,
                "--peer",
                peer,
                "--store-dir",
                dir.toString(),
                "--web",
                "127.0.0.1:" + web);
        processes.add(c);
        c.awaitLine(l -> l.startsWith("ready node=" + id), CliProcess.TIMEOUT);
        return c;
    }

    private ChromeDriver page(int web) {
        ChromeDriver b = Chromium.start();
        browsers.add(b);
        b.get("http://127.0.0.1:" + web + "/");
        return b;
    }

    private static void type(ChromeDriver page, String text) {
        page.findElement(By.id("text")).sendKeys(text);
        page.findElement(By.id("send")).click();
    }

    private static String text(ChromeDriver page, String id) {
        return page.findElement(By.id(id)).getText();
    }

    /** {@code up}, {@code down}, or {@code ""} if the page does not list the member. */
    private static String member(ChromeDriver page, String id) {
        return page.findElements(By.cssSelector("#members li[data-id='" + id + "']")).stream()
                .map(e -> e.getDomAttribute("data-state"))
                .findFirst()
                .orElse("");
    }

    /** {@code joined}, {@code joining}, or {@code ""} if the page does not list the channel. */
    private static String channel(ChromeDriver page, String name) {
        return page.findElements(By.cssSelector("#channels li[data-channel='" + name + "']")).stream()
                .map(e -> e.getDomAttribute("data-state"))
                .findFirst()
                .orElse("");
    }

    @SuppressWarnings("unchecked")
    private static List<String> messages(ChromeDriver page) {
        return (List<String>)
                page.executeScript("return Array.from(document.querySelectorAll('#messages li[data-key]'))"
                        + ".map(li => li.dataset.from + ': ' + li.querySelector('.text').textContent)");
    }

    private static void waitFor(BooleanSupplier condition, String what) {
        Await.until(
                DEADLINE,
                () -> {
                    try {
                        return condition.getAsBoolean();
                    } catch (WebDriverException e) {
                        return false; // the page is being rebuilt: look again
                    }
                },
                () -> what);
    }
}
