package dev.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.example.ExampleService;
import dev.ferry.http.FerryVersion;
import dev.ferry.schemas.Json;
import dev.ferry.schemas.Topics;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The UI on the admin port, in a real headless Chromium: the empty state, registering the example through the form,
 * calling a handler from its playground, cancelling a slow invocation from the invocations view, and a virtual
 * object's state, read-only. Screenshots of
 * the main views go to {@code target/ui-screenshots/}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class UiIT {
    private FerryHarness ferry;
    private ExampleService example;
    private HeadlessBrowser browser;
    private ChromeDriver driver;
    private WebDriverWait wait;
    private String ui;

    @BeforeAll
    void start() throws Exception {
        browser = HeadlessBrowser.start();
        driver = browser.driver;
        wait = browser.wait;
        // Nothing registered: the UI starts empty. One key of Counter has state in Ferry's store (ObjectStateSeed).
        String prefix = "ui" + java.util.UUID.randomUUID().toString().substring(0, 8) + ".";
        ObjectStateSeed.seed(new Topics(prefix), 4, "Counter", "mary", ObjectStateSeed.MARY);
        ferry = FerryHarness.onSharedKafka().with("FERRY_TOPIC_PREFIX", prefix).with("FERRY_PARTITIONS", "4").start();
        example = new ExampleService("127.0.0.1", 0).start();
        ui = "http://127.0.0.1:" + ferry.server().adminPort() + "/";
    }

    @AfterAll
    void stop() throws IOException {
        if (browser != null) {
            browser.close();
        }
        if (example != null) {
            example.close();
        }
        if (ferry != null) {
            ferry.close();
        }
    }

    @Test
    @Order(1)
    void anEmptyFerryShowsTheEmptyStateAndRegistersADeploymentFromItsForm() throws IOException {
        driver.get(ui); // GET / redirects to /ui/
        WebElement empty = visible("[data-testid=empty-state]");
        assertThat(empty.getText()).contains("No deployments registered yet");
        assertThat(driver.getCurrentUrl()).contains("/ui/");
        screenshot("empty-state");

        // An unreachable URI: the API's error is shown, the form stays.
        type("#register-uri", "http://127.0.0.1:1");
        click("#register-submit");
        WebElement error = visible("[data-testid=register-error]");
        assertThat(error.getText()).contains("Registration failed (400)").contains("/discover");
        assertThat(driver.findElements(By.cssSelector("[data-testid=empty-state]"))).hasSize(1);

        type("#register-uri", "http://127.0.0.1:" + example.port());
        click("#register-submit");
        visible("[data-testid=service-row][data-service=Greeter]");
        wait.until(ExpectedConditions.invisibilityOfElementLocated(By.cssSelector("[data-testid=empty-state]")));
        assertThat(driver.findElement(By.tagName("main")).getText()).doesNotContain("No deployments registered yet");
        List<String> services = driver.findElements(By.cssSelector("[data-testid=service-row]")).stream()
                .map(row -> row.getAttribute("data-service")).toList();
        assertThat(services).containsExactly("Counter", "Greeter", "Ledger", "Signup");
        assertThat(text("[data-testid=deployments-table]")).contains("http://127.0.0.1:" + example.port());
        screenshot("overview");
    }

    @Test
    @Order(2)
    void thePlaygroundBuildsTheBodyFromTheSchemaAndShowsTheAnswer() throws IOException {
        click("[data-testid=service-link-Greeter]");
        visible("[data-testid=service-detail][data-service=Greeter]");
        assertThat(text("[data-testid=handler-row][data-handler=welcome]")).contains("JSON 'Person'");
        screenshot("service");

        click("[data-testid=open-playground-welcome]");
        visible("[data-testid=playground][data-service=Greeter][data-handler=welcome]");
        // A flat object schema gets a form; its example fills the JSON body.
        click("[data-testid=pg-tab-json]");
        assertThat(json(visible("#pg-body").getAttribute("value"))).isEqualTo(json("{\"name\":\"\",\"age\":0}"));
        click("[data-testid=pg-tab-form]");
        type("#pg-field-name", "Ada");
        type("#pg-field-age", "36");
        click("[data-testid=pg-tab-json]");
        assertThat(json(visible("#pg-body").getAttribute("value"))).isEqualTo(json("{\"name\":\"Ada\",\"age\":36}"));
        click("[data-testid=pg-mode-call]");
        assertThat(text("[data-testid=pg-url]")).endsWith("/Greeter/welcome");

        click("[data-testid=pg-send]");
        WebElement status = visible("[data-testid=pg-status]");
        assertThat(status.getAttribute("data-status")).isEqualTo("200");
        assertThat(status.getText()).isEqualTo("200 OK");
        assertThat(text("[data-testid=pg-response-body]")).contains("\"Welcome, Ada!\"").contains("\"adult\": true");
        assertThat(text("[data-testid=pg-invocation-id]")).as("the ingress exposes x-restate-id to the page")
                .startsWith("inv_");
        assertThat(text("[data-testid=pg-headers]")).contains("content-type").contains("application/json");
        assertThat(text("[data-testid=pg-elapsed]")).matches("\\d+(ms|\\.\\d+s)");
        assertThat(example.executions("welcome:Ada")).isEqualTo(1);
        scrollToTop();
        screenshot("playground");

        // An idempotency key of any text: fetch refuses '€' in a header unless it is sent as its UTF-8 bytes.
        type("#pg-idempotency", "ui-€-漢");
        click("[data-testid=pg-send]");
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> ferry.ingress()
                .get("/restate/invocation/Greeter/welcome/ui-%E2%82%AC-%E6%BC%A2/output").status() == 200);
    }

    @Test
    @Order(3)
    void aSlowInvocationSentFromThePlaygroundIsCancelledFromTheInvocationsView() throws IOException {
        click("[data-testid=tree-handler-slow]");
        visible("[data-testid=playground][data-handler=slow]");
        click("[data-testid=pg-mode-send]");
        type("#pg-body", "{\"ms\":20000}");
        assertThat(text("[data-testid=pg-url]")).endsWith("/Greeter/slow/send");
        click("[data-testid=pg-send]");
        wait.until(ExpectedConditions.attributeToBe(By.cssSelector("[data-testid=pg-status]"), "data-status", "202"));
        String id = text("[data-testid=pg-invocation-id]");
        assertThat(id).startsWith("inv_");

        // A few more invocations, so that the list shows more than one kind of row.
        Http ingress = ferry.ingress();
        assertThat(ingress.postJson("/Counter/ui-demo/add", "5").status()).isEqualTo(200);
        assertThat(ingress.postJson("/Greeter/fail", "{\"message\":\"card declined\"}").status()).isEqualTo(400);
        assertThat(ingress.postJson("/Greeter/flaky/send", "{\"id\":\"ui-demo\"}").status()).isEqualTo(202);

        click("[data-testid=nav-invocations]");
        String row = "tr[data-id='" + id + "']";
        visible(row + "[data-status=running]");
        screenshot("invocations-running");

        click(row + " [data-testid=inv-cancel]");
        assertThat(visible("[data-testid=inv-action-result]").getText()).contains("Cancellation requested").contains(id);
        visible(row + "[data-status=completed]");
        wait.until(d -> d.findElement(By.cssSelector(row + " [data-testid=inv-outcome]")).getText().contains("Cancelled"));
        assertThat(text(row + " [data-testid=inv-outcome]")).contains("409").contains("Cancelled");
        assertThat(text(row + " [data-testid=inv-status]")).isEqualTo("Failed");

        JsonNode invocation = json(ferry.admin().get("/invocations/" + id).body());
        assertThat(invocation.path("status").asText()).isEqualTo("completed");
        assertThat(invocation.path("completion_failure").path("message").asText()).isEqualTo("Cancelled");

        // The details panel: the failure and the timeline of the selected invocation.
        click(row + " [data-testid=inv-status]");
        WebElement details = visible("[data-testid=inv-details]");
        assertThat(text("[data-testid=inv-details-id]")).isEqualTo(id);
        wait.until(d -> d.findElement(By.cssSelector("[data-testid=inv-details-failure]")).getText().contains("Cancelled"));
        assertThat(details.getText()).contains("Created").contains("Started").contains("Completed").contains("Retained until");
        scrollToTop();
        screenshot("invocations");
    }

    @Test
    @Order(4)
    void anAdminApiWithATokenAsksForItAndSendsIt() throws Exception {
        try (FerryHarness locked = FerryHarness.onSharedKafka().with("FERRY_ADMIN_TOKEN", "s3cret").start()) {
            driver.get("http://127.0.0.1:" + locked.server().adminPort() + "/");
            assertThat(visible("[data-testid=token-required]").getText()).contains("FERRY_ADMIN_TOKEN");
            screenshot("admin-token");

            type("#token-input", "wrong");
            click("[data-testid=token-submit]");
            visible("[data-testid=token-error]");

            type("#token-input", "s3cret");
            click("[data-testid=token-submit]");
            assertThat(visible("[data-testid=empty-state]").getText()).contains("No deployments registered yet");
            wait.until(ExpectedConditions.textToBe(By.id("server-version"), "v" + FerryVersion.current().version()));
        }
    }

    @Test
    @Order(5)
    void aVirtualObjectsStateIsShownForAKeyAndAKeyedInvocationLinksToItsKeysState() throws IOException {
        driver.get(ui + "#/services/Counter");
        visible("[data-testid=service-detail][data-service=Counter]");
        assertThat(text("[data-testid=state-card]")).contains("Object key").contains("Read-only");

        type("#state-key", "mary");
        click("[data-testid=state-submit]");
        visible("[data-testid=state-table]");
        List<WebElement> rows = driver.findElements(By.cssSelector("[data-testid=state-row]"));
        assertThat(rows).extracting(row -> row.getAttribute("data-key")).containsExactly("blob", "count", "profile");
        assertThat(text("[data-testid=state-row][data-key=count]")).contains("42");
        assertThat(text("[data-testid=state-row][data-key=profile]")).contains("\"name\": \"Mary\"").contains("1.1");
        assertThat(text("[data-testid=state-row][data-key=blob]")).contains("3 bytes").contains("/wAB");
        assertThat(driver.getCurrentUrl()).endsWith("#/services/Counter?key=mary");
        scrollToTop();
        screenshot("state");

        // A Greeter has no state: no state card.
        click("[data-testid=tree-service-Greeter]");
        visible("[data-testid=service-detail][data-service=Greeter]");
        assertThat(driver.findElements(By.cssSelector("[data-testid=state-card]"))).isEmpty();

        // From a keyed invocation's details to its key's state: the example's Counter keeps its count itself, so
        // Ferry holds none for ui-demo; the empty answer says so.
        Http.Response later = ferry.ingress().postJson("/Counter/ui-demo/add/send?delay=1h", "1");
        assertThat(later.status()).as(later.toString()).isEqualTo(202);
        driver.get(ui + "#/invocations?service=Counter&id=" + later.header("x-restate-id"));
        click("[data-testid=inv-details-state]");
        visible("[data-testid=service-detail][data-service=Counter]");
        assertThat(visible("[data-testid=state-empty]").getText()).contains("No state for ui-demo")
                .contains("never had state");
        assertThat(visible("#state-key").getAttribute("value")).isEqualTo("ui-demo");
    }

    // ---- helpers -------------------------------------------------------------------------------------------

    private WebElement visible(String css) {
        return browser.visible(css);
    }

    private void click(String css) {
        browser.click(css);
    }

    private void type(String css, String text) {
        browser.type(css, text);
    }

    private String text(String css) {
        return browser.text(css);
    }

    private void scrollToTop() {
        browser.scrollToTop();
    }

    private void screenshot(String name) throws IOException {
        browser.screenshot(name);
    }

    private static JsonNode json(String text) {
        try {
            return Json.MAPPER.readTree(text);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }
}
