package dev.tether.cli;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Debian's headless Chromium through its chromedriver, for the tests of pages: nothing is downloaded (Selenium Manager
 * is not used), and a machine without the packages fails the test instead of skipping it.
 */
final class Chromium {
    /** Where screenshots go: kept with the build's artifacts. */
    static final Path SCREENSHOTS = Path.of("target", "screenshots");

    private Chromium() {}

    static ChromeDriver start() {
        File driver = new File("/usr/bin/chromedriver");
        File binary = new File("/usr/lib/chromium/chromium").exists()
                ? new File("/usr/lib/chromium/chromium")
                : new File("/usr/bin/chromium");
        if (!driver.canExecute() || !binary.canExecute()) {
            throw new AssertionError("page tests need Debian's chromium and chromium-driver (" + binary + ", " + driver
                    + "): apt-get install chromium chromium-driver (.ci/run does)");
        }
        ChromeOptions o = new ChromeOptions();
        o.setBinary(binary);
        o.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1400");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(driver)
                .usingAnyFreePort()
                .build();
        try {
            return new ChromeDriver(service, o);
        } catch (WebDriverException e) {
            throw new AssertionError("Chromium could not be started through " + driver + ": " + e.getMessage(), e);
        }
    }

    /** Saves what {@code browser} shows as {@code target/screenshots/NAME.png}. */
    static void screenshot(ChromeDriver browser, String name) throws Exception {
        Files.createDirectories(SCREENSHOTS);
        Files.write(SCREENSHOTS.resolve(name + ".png"), browser.getScreenshotAs(OutputType.BYTES));
    }
}
