package dev.loupe.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo report with its real default settings: nine sections, every figure present and not blank. */
class DemoReportTest {
    @TempDir
    Path dir;

    /** Checks a written report folder; used by the CLI test too. */
    static List<String> check(Path index) throws Exception {
        assertTrue(Files.isRegularFile(index), "no " + index);
        String html = Files.readString(index, StandardCharsets.UTF_8);
        for (int s = 1; s <= 9; s++) {
            assertTrue(html.contains("<section id=\"s" + s + "\">"), "section " + s + " missing");
        }
        assertTrue(html.indexOf("id=\"s1\"") < html.indexOf("id=\"s8\""), "sections out of order");
        Matcher m = Pattern.compile("<img src=\"([^\"]+)\"").matcher(html);
        List<String> images = new ArrayList<>();
        while (m.find()) {
            images.add(m.group(1));
        }
        assertTrue(images.size() >= 10, "only " + images.size() + " figures");
        for (String name : images) {
            assertFalse(name.contains("/") || name.contains(":"), "figure not beside the page: " + name);
            Path f = index.resolveSibling(name);
            assertTrue(Files.isRegularFile(f), "missing figure " + name);
            BufferedImage img = ImageIO.read(f.toFile());
            assertNotNull(img, name + " does not decode");
            assertTrue(img.getWidth() >= 100 && img.getHeight() >= 100, name + " is tiny: " + img.getWidth() + "x" + img.getHeight());
            double sd = luminanceStd(img);
            assertTrue(sd > 10, name + " looks blank or constant: luminance std " + sd);
        }
        return images;
    }

    static double luminanceStd(BufferedImage img) {
        double sum = 0;
        double sq = 0;
        long n = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                int p = img.getRGB(x, y);
                double l = 0.299 * ((p >> 16) & 0xff) + 0.587 * ((p >> 8) & 0xff) + 0.114 * (p & 0xff);
                sum += l;
                sq += l * l;
                n++;
            }
        }
        double mean = sum / n;
        return Math.sqrt(Math.max(0, sq / n - mean * mean));
    }

    @Test
    void defaultReportHasNineSectionsOfRealFigures() throws Exception {
        StringWriter log = new StringWriter();
        Path out = dir.resolve("loupe-demo");
        DemoReport.Result r = DemoReport.build(DemoReport.Options.defaults(out), new PrintWriter(log, true));
        System.out.printf("DEMO default report in %.1f s: %s%n", r.seconds(), r.steps());
        assertEquals(out.resolve("index.html").toAbsolutePath().normalize(), r.index());
        List<String> images = check(r.index());
        assertEquals(r.images().size(), images.size());
        assertTrue(log.toString().contains("8. the biased model"), log.toString());
        String html = Files.readString(r.index());
        // The biased model: right on marked trousers, worse once the mark is gone.
        Matcher acc = Pattern.compile("as in training</td><td>(0\\.\\d+)</td></tr><tr><td>clean \\(no mark anywhere\\)</td><td>(0\\.\\d+)")
                .matcher(html);
        assertTrue(acc.find(), "no accuracy table");
        assertTrue(Double.parseDouble(acc.group(1)) > Double.parseDouble(acc.group(2)) + 0.05, acc.group());
        // Its explanations point at the mark: Grad-CAM puts most of its weight there, Backprop more there than on the trousers.
        Matcher cam = Pattern.compile("Grad-CAM at relu3_out \\(the last conv block\\) puts (\\d+)% there and (\\d+)% on the trousers")
                .matcher(html);
        assertTrue(cam.find(), "no Grad-CAM shares in section 8");
        assertTrue(Integer.parseInt(cam.group(1)) > 50 && Integer.parseInt(cam.group(2)) < 10, cam.group());
        Matcher sal = Pattern.compile("Backprop (\\d+)% there and (\\d+)% on the trousers").matcher(html);
        assertTrue(sal.find(), "no Backprop shares in section 8");
        assertTrue(Integer.parseInt(sal.group(1)) > Integer.parseInt(sal.group(2)), sal.group());
        // No temporary folder is left next to the report.
        try (var s = Files.list(dir)) {
            assertEquals(List.of(out), s.toList());
        }
    }

    @Test
    void aFailedRunLeavesTheEarlierReportAndNoTemporaryFolder() throws Exception {
        Path out = dir.resolve("report");
        Files.createDirectories(out);
        Files.writeString(out.resolve("index.html"), "earlier");
        // A photo that does not exist is skipped; a broken one fails the run.
        Path bad = dir.resolve("not-an-image.jpg");
        Files.writeString(bad, "not an image");
        DemoReport.Options o = new DemoReport.Options(out, 50, 50, 112, 112, List.of(bad.toAbsolutePath().toString()));
        assertThrows(Exception.class, () -> DemoReport.build(o, new PrintWriter(new StringWriter(), true)));
        assertEquals("earlier", Files.readString(out.resolve("index.html")));
        try (var s = Files.list(dir)) {
            assertEquals(2, s.count(), "a temporary folder was left behind");
        }
    }
}
