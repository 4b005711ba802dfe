package dev.convlens.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.net.httpserver.HttpServer;
import dev.convlens.Heatmap;
import dev.convlens.HeatmapMethod;
import dev.convlens.Inspector;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The explainer's web page ({@code examples/web}) in headless Chromium, as a person uses it: served by a throwaway
 * HTTP server on 127.0.0.1 with onnxruntime-web from the page's own folder, a photo chosen with the file picker,
 * then the other explainer from the list. The page's overlay pixels must be the Java SDK's {@code Heatmap.overlay()}
 * for the same photo, on ONNX Runtime Web's wasm backend.
 */
@org.junit.jupiter.api.Tag("slow") // left out by -Pquick
class ExplainerPageTest {
    /** Held, so its level stays: Selenium warns that it has no DevTools bindings for this Chromium; none are used. */
    private static final java.util.logging.Logger SELENIUM = java.util.logging.Logger.getLogger("org.openqa.selenium");

    private static final Path REPOSITORY = Path.of(System.getProperty("convlens.repository", "../..")).toAbsolutePath()
            .normalize();
    private static final Path WEB = REPOSITORY.resolve("examples/web");
    private static final Path MODEL = REPOSITORY.resolve("models/cats_vs_dogs_small.onnx");
    private static final Path PHOTO = REPOSITORY.resolve("examples/images/chelsea.png");
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path DRIVER = Path.of("/usr/bin/chromedriver");
    private static final Map<String, String> TYPES = Map.of("html", "text/html", "js", "text/javascript",
            "mjs", "text/javascript", "wasm", "application/wasm", "json", "application/json",
            "onnx", "application/octet-stream");

    @TempDir
    Path dir;

    @Test
    void thePageDrawsTheOverlayJavaDraws() throws Exception {
        boolean there = Files.isExecutable(CHROMIUM) && Files.isExecutable(DRIVER)
                && Files.isDirectory(WEB.resolve("node_modules/onnxruntime-web/dist"));
        if (!there) {
            System.out.println("skipped: needs /usr/bin/chromium, /usr/bin/chromedriver (apt-get install chromium"
                    + " chromium-driver) and examples/web/node_modules (npm ci --ignore-scripts there)");
        }
        assumeTrue(there, "chromium, chromedriver, onnxruntime-web");
        BufferedImage photo = ImageIO.read(PHOTO.toFile());
        Heatmap gradCam;
        Heatmap plusPlus;
        try (Inspector inspector = Inspector.of(MODEL)) {
            inspector.explainer(HeatmapMethod.GRAD_CAM).save(dir.resolve("grad-cam.onnx"));
            inspector.explainer(HeatmapMethod.GRAD_CAM_PLUS_PLUS).layer("conv2d_3")
                    .save(dir.resolve("grad-cam-plus-plus.onnx"));
            gradCam = inspector.image(PHOTO).heatmap(HeatmapMethod.GRAD_CAM);
            plusPlus = inspector.image(PHOTO).layers("conv2d_3").heatmap(HeatmapMethod.GRAD_CAM_PLUS_PLUS);
        }
        Files.writeString(dir.resolve("explainers.json"), "[{\"label\": \"Grad-CAM, conv2d_4\", \"file\":"
                + " \"grad-cam.onnx\", \"labels\": [\"cat\", \"dog\"]}, {\"label\": \"Grad-CAM++, conv2d_3\","
                + " \"file\": \"grad-cam-plus-plus.onnx\", \"labels\": [\"cat\", \"dog\"]}]");
        HttpServer server = serve(List.of(dir, WEB));
        SELENIUM.setLevel(java.util.logging.Level.SEVERE);
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile())
                .usingAnyFreePort().build();
        ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM.toFile()).addArguments("--headless=new",
                "--no-sandbox", "--disable-gpu", "--window-size=1200,900", "--user-data-dir=" + dir.resolve("profile"));
        ChromeDriver browser = new ChromeDriver(service, options);
        try {
            browser.get("http://127.0.0.1:" + server.getAddress().getPort() + "/index.html");
            WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(90));
            wait.until(b -> "ready".equals(state(browser)) || "error".equals(state(browser)));
            assertThat(state(browser)).as(browser.findElement(By.id("status")).getText()).isEqualTo("ready");
            browser.findElement(By.id("file")).sendKeys(PHOTO.toString());
            wait.until(b -> "done".equals(state(browser)) || "error".equals(state(browser)));
            check(browser, "grad-cam.onnx", gradCam, photo);
            assertThat(browser.findElement(By.id("prediction")).getText()).startsWith("cat, score 0.57");
            Path shot = REPOSITORY.resolve("examples/target/explainer-page.png");
            Files.createDirectories(shot.getParent());
            Files.write(shot, browser.getScreenshotAs(OutputType.BYTES));
            System.out.println("the page, with Grad-CAM's overlay: " + shot);

            new Select(browser.findElement(By.id("explainer"))).selectByIndex(1);
            wait.until(b -> "done".equals(state(browser)) && "grad-cam-plus-plus.onnx".equals(
                    browser.executeScript("return window.convlensResult.explainer")) || "error".equals(state(browser)));
            check(browser, "grad-cam-plus-plus.onnx", plusPlus, photo);
        } finally {
            browser.quit();
            server.stop(0);
        }
    }

    private static String state(ChromeDriver browser) {
        return browser.findElement(By.id("status")).getAttribute("data-state");
    }

    /**
     * The page's result is the explainer's: its heatmap Java's within float32 rounding, its overlay Java's within one
     * level but where a heatmap value an ulp from a jet level's boundary falls in the next level (a channel moves by
     * 2 after the rescaling; ExplainerNodeTest checks that the overlay is exactly the drawing of its own heatmap).
     */
    private static void check(ChromeDriver browser, String explainer, Heatmap expected, BufferedImage photo) {
        assertThat(state(browser)).as(browser.findElement(By.id("status")).getText()).isEqualTo("done");
        @SuppressWarnings("unchecked")
        Map<String, Object> result = (Map<String, Object>) browser.executeScript("return window.convlensResult");
        assertThat(result.get("explainer")).isEqualTo(explainer);
        assertThat(result.get("backend")).isEqualTo("wasm");
        assertThat(((Number) result.get("targetClass")).intValue()).isEqualTo(expected.targetClass());
        byte[] overlay = Base64.getDecoder().decode((String) result.get("overlay"));
        BufferedImage want = expected.overlay();
        assertThat(((Number) result.get("width")).intValue()).isEqualTo(photo.getWidth());
        assertThat(overlay).hasSize(want.getWidth() * want.getHeight() * 3);
        int largest = 0;
        int beyond = 0;
        for (int y = 0, i = 0; y < want.getHeight(); y++) {
            for (int x = 0; x < want.getWidth(); x++, i += 3) {
                int rgb = want.getRGB(x, y);
                for (int c = 0; c < 3; c++) {
                    int difference = Math.abs((overlay[i + c] & 0xFF) - (rgb >> (16 - 8 * c) & 0xFF));
                    largest = Math.max(largest, difference);
                    beyond += difference > 1 ? 1 : 0;
                }
            }
        }
        @SuppressWarnings("unchecked")
        List<Number> heatmap = (List<Number>) result.get("heatmap");
        float[] values = expected.values();
        double top = 0;
        double off = 0;
        for (int i = 0; i < values.length; i++) {
            top = Math.max(top, Math.abs(values[i]));
            off = Math.max(off, Math.abs(heatmap.get(i).doubleValue() - values[i]));
        }
        System.out.printf("the page's %s: heatmap within %.1e of Java's largest value; overlay within %d of Java's,"
                + " %d of %d values beyond 1; %.0f ms in onnxruntime-web (wasm)%n", explainer, off / top, largest,
                beyond, overlay.length, ((Number) result.get("milliseconds")).doubleValue());
        assertThat(heatmap).hasSize(values.length);
        assertThat(off / top).isLessThan(1e-5);
        assertThat(largest).isLessThanOrEqualTo(2);
        assertThat((double) beyond / overlay.length).isLessThan(1e-3);
    }

    /** A static server on 127.0.0.1: each path from the first folder that has it. */
    private static HttpServer serve(List<Path> folders) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath().substring(1);
            Path file = folders.stream().map(f -> f.resolve(path).normalize())
                    .filter(f -> folders.stream().anyMatch(f::startsWith) && Files.isRegularFile(f))
                    .findFirst().orElse(null);
            if (file == null) {
                exchange.sendResponseHeaders(404, -1);
                exchange.close();
                return;
            }
            String name = file.getFileName().toString();
            exchange.getResponseHeaders().set("Content-Type",
                    TYPES.getOrDefault(name.substring(name.lastIndexOf('.') + 1), "application/octet-stream"));
            byte[] body = Files.readAllBytes(file);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        return server;
    }
}
