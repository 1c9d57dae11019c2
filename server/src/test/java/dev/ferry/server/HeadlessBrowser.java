package dev.ferry.server;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.NoSuchElementException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's headless Chromium driven by Selenium for the UI's tests, with the few steps they take: wait for an element
 * to show, click, type, read, save a screenshot. Without the browser a test is skipped, unless
 * {@code CI_REQUIRE_BROWSER} says the machine must have it.
 */
final class HeadlessBrowser implements AutoCloseable {
    private static final String CHROMIUM = "/usr/bin/chromium";
    private static final String CHROMEDRIVER = "/usr/bin/chromedriver";

    final ChromeDriver driver;
    final WebDriverWait wait;
    private final Path profile;
    private final Path screenshots;

    private HeadlessBrowser(ChromeDriver driver, Path profile, Path screenshots) {
        this.driver = driver;
        this.profile = profile;
        this.screenshots = screenshots;
        wait = new WebDriverWait(driver, Duration.ofSeconds(20));
        wait.ignoring(StaleElementReferenceException.class).ignoring(NoSuchElementException.class);
    }

    /** A browser with a page of exactly 1400×900; screenshots go to {@code target/ui-screenshots/}. */
    static HeadlessBrowser start() throws IOException {
        boolean browser = Files.isExecutable(Path.of(CHROMIUM)) && Files.isExecutable(Path.of(CHROMEDRIVER));
        String missing = "needs Debian's chromium and chromium-driver (" + CHROMIUM + ", " + CHROMEDRIVER + ")";
        if (!browser && Boolean.parseBoolean(System.getenv("CI_REQUIRE_BROWSER"))) {
            throw new IllegalStateException(missing + "; .ci/run installs them");
        }
        assumeTrue(browser, missing);
        Path screenshots = Path.of(System.getProperty("basedir", "."), "target", "ui-screenshots");
        Files.createDirectories(screenshots);

        // The driver and the browser are given by path, so Selenium Manager has nothing to look up or download.
        System.setProperty("webdriver.chrome.driver", CHROMEDRIVER);
        Path profile = Files.createTempDirectory("ferry-ui-chrome");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--window-size=1400,900", "--user-data-dir=" + profile);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER))
                .usingAnyFreePort()
                .build();
        ChromeDriver driver = new ChromeDriver(service, options);
        // The window's chrome takes some of its height; the page gets exactly 1400×900, as the screenshots show.
        driver.executeCdpCommand("Emulation.setDeviceMetricsOverride",
                Map.of("width", 1400, "height", 900, "deviceScaleFactor", 1, "mobile", false));
        return new HeadlessBrowser(driver, profile, screenshots);
    }

    void get(String url) {
        driver.get(url);
    }

    WebElement visible(String css) {
        return wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(css)));
    }

    /** Clicks once the element can be clicked; views redraw rows, so a stale element is retried. */
    void click(String css) {
        wait.until(d -> {
            WebElement element = d.findElement(By.cssSelector(css));
            if (!element.isDisplayed() || !element.isEnabled()) {
                return false;
            }
            element.click();
            return true;
        });
    }

    void type(String css, String text) {
        WebElement input = visible(css);
        input.clear();
        input.sendKeys(text);
    }

    String text(String css) {
        return wait.until(d -> d.findElement(By.cssSelector(css)).getText());
    }

    void scrollToTop() {
        ((JavascriptExecutor) driver).executeScript(
                "window.scrollTo(0, 0); document.activeElement && document.activeElement.blur();");
    }

    /** Saves what the browser shows, without the transient toasts. */
    void screenshot(String name) throws IOException {
        ((JavascriptExecutor) driver).executeScript("document.getElementById('toasts').replaceChildren();");
        new Actions(driver).moveToLocation(1, 1).perform(); // no hover effects in the picture
        Files.write(screenshots.resolve(name + ".png"), driver.getScreenshotAs(OutputType.BYTES));
    }

    @Override
    public void close() throws IOException {
        driver.quit();
        try (Stream<Path> files = Files.walk(profile)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
