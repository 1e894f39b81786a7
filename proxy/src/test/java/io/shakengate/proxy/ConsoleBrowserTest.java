package io.shakengate.proxy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.Select;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The console in a real browser: Debian's chromium, driven through chromium-driver by Selenium, against a
 * running appliance. An admin logs in, sees a bad rule refused beside its field, adds a good one, and a SIPp call
 * is signed by it (A) and shows on the Calls page; uploading the signer's STI-CA makes the next call's
 * verification pass, removing it makes it fail again; a viewer's change is refused by the server. Screenshots
 * of every page go to target/console-screenshots/.
 */
class ConsoleBrowserTest {
    private static final Path SHOTS = Path.of("target", "console-screenshots");

    @TempDir
    Path dir;

    @Test
    void anOperatorChangesPoliciesAndAuthoritiesInABrowser() throws Exception {
        Files.createDirectories(SHOTS);
        try (ConsoleFixture f = new ConsoleFixture(dir)) {
            WebDriver d = browser();
            try {
                d.get(f.url("/console/status"));
                assertTrue(d.getCurrentUrl().endsWith("/console/login"), d.getCurrentUrl());
                shot(d, "login");
                login(d, ConsoleFixture.ADMIN, ConsoleFixture.ADMIN_PASSWORD);
                assertTrue(d.getCurrentUrl().endsWith("/console/status"), d.getCurrentUrl());
                assertEquals("admin (admin)", d.findElement(By.id("user")).getText());

                // a bad rule: the validator's error beside the field, the rule not there
                d.get(f.url("/console/authentication"));
                fill(d, "name", "console-rule");
                fill(d, "source", "10.0.0.0/99");
                fill(d, "callingPrefixes", "1215");
                fill(d, "position", "1");
                new Select(d.findElement(By.id("f-action"))).selectByValue("attest-a");
                submit(d, d.findElement(By.id("add-rule")));
                assertTrue(d.findElement(By.id("error-source")).isDisplayed());
                assertTrue(message(d).getText().contains("line"),
                        message(d).getText());
                assertFalse(ruleNames(d).contains("console-rule"));
                shot(d, "authentication-refused");
                // the form kept what was typed: mend the source and save
                fill(d, "source", "");
                submit(d, d.findElement(By.id("add-rule")));
                assertTrue(message(d).getText().contains("rule console-rule added"),
                        message(d).getText());
                assertEquals(List.of("console-rule", "premium", "listed"), ruleNames(d));
                shot(d, "authentication");

                call(f, "first");
                d.get(f.url("/console/calls"));
                WebElement signing = row(d, "signing");
                assertEquals("A", signing.findElement(By.className("attestation")).getText());
                assertTrue(signing.getText().contains("console-rule"), signing.getText());
                // the verify side trusts only an unrelated STI-CA so far
                assertEquals("certificate-error", row(d, "verification").findElement(By.className("outcome")).getText());

                // add the signer's STI-CA: the next call verifies
                d.get(f.url("/console/authorities"));
                assertEquals(1, d.findElements(By.className("remove-ca")).size());
                d.findElement(By.id("f-certificate")).sendKeys(dir.resolve("demo-root.pem").toAbsolutePath().toString());
                submit(d, d.findElement(By.id("add-ca")));
                assertTrue(message(d).getText().contains("added and applied"),
                        message(d).getText());
                assertEquals(2, d.findElements(By.className("remove-ca")).size());
                shot(d, "authorities");
                call(f, "second");
                d.get(f.url("/console/calls"));
                WebElement passed = row(d, "verification");
                assertEquals("passed", passed.findElement(By.className("outcome")).getText(), passed.getText());
                assertEquals("A", passed.findElement(By.className("attestation")).getText());
                shot(d, "calls");
                d.get(f.url("/console/calls?outcome=passed"));
                for (WebElement r : d.findElements(By.cssSelector("tr.call"))) {
                    assertEquals("passed", r.findElement(By.className("outcome")).getText());
                }

                // remove it again: the next call fails its certificate
                d.get(f.url("/console/authorities"));
                List<WebElement> rows = d.findElements(By.cssSelector("#authorities tr"));
                boolean clicked = false;
                for (WebElement r : rows) {
                    if (r.getText().contains("ShakenGate Demo STI-CA Root")) {
                        submit(d, r.findElement(By.className("remove-ca")));
                        clicked = true;
                        break;
                    }
                }
                assertTrue(clicked, "the demo root is listed");
                assertTrue(message(d).getText().contains("removed and applied"));
                call(f, "third");
                d.get(f.url("/console/calls"));
                assertEquals("certificate-error", row(d, "verification").findElement(By.className("outcome")).getText());

                for (String page : List.of("status", "verification", "crl")) {
                    d.get(f.url("/console/" + page));
                    assertTrue(d.findElement(By.tagName("h1")).isDisplayed());
                    shot(d, page);
                }

                // a viewer: no forms, and a change sent anyway (with the viewer's own CSRF token) is refused
                submit(d, d.findElement(By.cssSelector("form.who button")));
                login(d, ConsoleFixture.VIEWER, ConsoleFixture.VIEWER_PASSWORD);
                d.get(f.url("/console/authentication"));
                assertTrue(d.findElements(By.id("add-rule")).isEmpty());
                String before = Files.readString(f.file);
                // the page's CSP forbids fetch (connect-src none): a form built in the page and submitted instead
                Object viewerPage = origin(d);
                ((JavascriptExecutor) d).executeScript(
                        "const f = document.createElement('form'); f.method = 'post';"
                                + "f.action = '/console/authentication/add';"
                                + "for (const [k, v] of [['csrf', document.querySelector('input[name=csrf]').value],"
                                + " ['name', 'by-viewer'], ['action', 'attest-a']]) {"
                                + " const i = document.createElement('input'); i.type = 'hidden'; i.name = k; i.value = v;"
                                + " f.appendChild(i); }"
                                + "document.body.appendChild(f); f.submit();");
                loaded(d, viewerPage);
                assertTrue(message(d).getText().contains("is a viewer"),
                        message(d).getText());
                assertEquals(before, Files.readString(f.file));
                shot(d, "viewer");
            } finally {
                d.quit();
            }
        }
    }

    private static WebDriver browser() {
        String binary = Files.isExecutable(Path.of("/usr/lib/chromium/chromium")) ? "/usr/lib/chromium/chromium"
                : "/usr/bin/chromium";
        if (!Files.isExecutable(Path.of("/usr/bin/chromedriver"))) {
            fail("chromium-driver is not installed (apt-get install chromium chromium-driver; .ci/run does it)");
        }
        ChromeOptions o = new ChromeOptions();
        o.setBinary(binary);
        o.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1400,1000", "--no-first-run", "--disable-extensions");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File("/usr/bin/chromedriver")).usingAnyFreePort().build();
        return new ChromeDriver(service, o);
    }

    /** Clicks {@code e} and waits until the page it submits to has loaded in place of this one (at most 10 s). */
    private static void submit(WebDriver d, WebElement e) {
        Object page = origin(d);
        e.click();
        loaded(d, page);
    }

    /** This document's time origin: a new page has a new one. */
    private static Object origin(WebDriver d) {
        return ((JavascriptExecutor) d).executeScript("return performance.timeOrigin");
    }

    private static void loaded(WebDriver d, Object before) {
        new org.openqa.selenium.support.ui.WebDriverWait(d, java.time.Duration.ofSeconds(10)).ignoring(
                org.openqa.selenium.WebDriverException.class).until(w -> !before.equals(origin(w))
                && "complete".equals(((JavascriptExecutor) w).executeScript("return document.readyState")));
    }

    /** The page's message, waiting for the page a click loads (at most 10 s). */
    private static WebElement message(WebDriver d) {
        return new org.openqa.selenium.support.ui.WebDriverWait(d, java.time.Duration.ofSeconds(10)).until(
                org.openqa.selenium.support.ui.ExpectedConditions.presenceOfElementLocated(By.id("message")));
    }

    private static void login(WebDriver d, String user, String password) {
        fill(d, "user", user);
        d.findElement(By.id("f-password")).sendKeys(password);
        submit(d, d.findElement(By.id("login")));
    }

    private static void fill(WebDriver d, String field, String value) {
        WebElement e = d.findElement(By.id("f-" + field));
        e.clear();
        e.sendKeys(value);
    }

    private static List<String> ruleNames(WebDriver d) {
        return d.findElements(By.className("rule-name")).stream().map(WebElement::getText).toList();
    }

    /** The newest row of the Calls page of decision {@code kind}. */
    private static WebElement row(WebDriver d, String kind) {
        for (WebElement r : d.findElements(By.cssSelector("tr.call"))) {
            if (r.findElements(By.tagName("td")).get(1).getText().equals(kind)) {
                return r;
            }
        }
        throw new AssertionError("no " + kind + " row: " + d.findElement(By.id("calls")).getText());
    }

    /** One SIPp call: UAC -> sign point -> verify point -> UAS. */
    private void call(ConsoleFixture f, String name) throws Exception {
        Process uas = Sipp.start(dir.resolve(name + "-uas.log"), "-sf", Sipp.scenario(dir, "uas-plain.xml"), "-i",
                "127.0.0.1", "-p", Integer.toString(f.uasPort), "-m", "1", "-t", "u1");
        Thread.sleep(300);
        Process uac = Sipp.start(dir.resolve(name + "-uac.log"), "-sf", Sipp.scenario(dir, "uac-shaken.xml"), "-i",
                "127.0.0.1", "-p", Integer.toString(Sipp.freeUdpPort()), "127.0.0.1:" + f.signPort, "-m", "1",
                "-t", "u1");
        int uacExit = Sipp.waitFor(uac, 30);
        int uasExit = Sipp.waitFor(uas, 10);
        assertEquals(0, uacExit, Sipp.tail(dir.resolve(name + "-uac.log")));
        assertEquals(0, uasExit, Sipp.tail(dir.resolve(name + "-uas.log")));
    }

    private static void shot(WebDriver d, String name) throws Exception {
        Files.write(SHOTS.resolve(name + ".png"), ((TakesScreenshot) d).getScreenshotAs(OutputType.BYTES));
    }
}
