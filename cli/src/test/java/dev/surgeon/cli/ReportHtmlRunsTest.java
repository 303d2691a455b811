package dev.surgeon.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.surgeon.cli.report.html.HtmlAssertions;
import dev.surgeon.cli.report.html.HtmlPage;
import dev.surgeon.io.SharedFixtures;
import dev.surgeon.io.safetensors.DType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Element;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** --report-html on real runs: the charts hold exactly the numbers of the run's JSON report. */
class ReportHtmlRunsTest {
    @TempDir
    Path tmp;

    /** Runs the command with --json and --report-html; returns the JSON and the page. */
    private Object[] run(String... args) throws Exception {
        Path html = tmp.resolve("pages/report-" + System.nanoTime() + ".html");
        String[] all = Stream.concat(Stream.of(args), Stream.of("--json", "--report-html", html.toString())).toArray(String[]::new);
        CommandRun run = CommandRun.of(all);
        assertThat(run.code()).as(run.toString()).isZero();
        String text = Files.readString(html, StandardCharsets.UTF_8);
        HtmlAssertions.selfContained(text);
        try (Stream<Path> left = Files.list(html.getParent())) {
            assertThat(left).as("no temporary file left beside the page").containsExactly(html);
        }
        return new Object[] {run.json(), HtmlPage.parse(text)};
    }

    private static double[] column(JsonArray rows, String key) {
        double[] v = new double[rows.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = rows.get(i).getAsJsonObject().get(key).getAsDouble();
        }
        return v;
    }

    @Test
    void pruneMagnitudeGlobalShowsEachBlocksSparsity() throws Exception {
        Path in = BlockModels.write(tmp.resolve("in"), PruneModels.llama(4, 8, 12), n -> DType.F32, 7);
        Object[] r = run("prune", in.toString(), "--method", "magnitude", "--group", "global", "--ratio", "0.4",
                "-o", tmp.resolve("out").toString());
        JsonObject json = (JsonObject) r[0];
        double[] sparsity = column(json.getAsJsonArray("blocks"), "sparsity");
        assertThat(sparsity).hasSize(4);
        HtmlPage page = (HtmlPage) r[1];
        HtmlAssertions.barsShow(HtmlPage.bars(page.requireSvg("sparsity")), sparsity);
        // the tensor histogram counts every tensor that has a sparsity
        long withSparsity = json.getAsJsonArray("tensors").asList().stream().filter(t -> t.getAsJsonObject().has("sparsity")).count();
        Element hist = page.svgs().stream().filter(s -> s.getAttribute("data-kind").equals("histogram")).findFirst().orElseThrow();
        assertThat(HtmlPage.bars(hist).stream().mapToDouble(HtmlPage.Bar::value).sum()).isEqualTo(withSparsity);
    }

    @Test
    void scaleDrawsLambdaAlphaPlusBetaTimesDepth() throws Exception {
        Path base = BlockModels.write(tmp.resolve("base"), BlockModels.layout(6), 1);
        Path ft = BlockModels.write(tmp.resolve("ft"), BlockModels.layout(6), 2);
        Object[] r = run("scale", base.toString(), ft.toString(), "--alpha", "0.25", "--beta", "0.5", "-o", tmp.resolve("out").toString());
        List<HtmlPage.Point> pts = HtmlPage.points(((HtmlPage) r[1]).requireSvg("lambda"));
        assertThat(pts).hasSize(6);
        for (int l = 0; l < 6; l++) {
            assertThat(pts.get(l).x()).isEqualTo(l);
            assertThat(pts.get(l).y()).as("λ(" + l + ")").isCloseTo(0.25 + 0.5 * l / 5.0, within(1e-12));
        }
        // a straight line: equal steps in block, equal steps in pixels
        double dx = pts.get(1).cx() - pts.get(0).cx();
        double dy = pts.get(1).cy() - pts.get(0).cy();
        assertThat(dy).isNegative();
        for (int l = 2; l < 6; l++) {
            assertThat(pts.get(l).cx() - pts.get(l - 1).cx()).isCloseTo(dx, within(0.02));
            assertThat(pts.get(l).cy() - pts.get(l - 1).cy()).isCloseTo(dy, within(0.02));
        }
    }

    @Test
    void diffDrawsThePerBlockNormsOfTheReport() throws Exception {
        Path a = BlockModels.write(tmp.resolve("a"), BlockModels.layout(3), 1);
        Path b = BlockModels.write(tmp.resolve("b"), BlockModels.layout(3), 2);
        Object[] r = run("diff", a.toString(), b.toString());
        JsonArray blocks = ((JsonObject) r[0]).getAsJsonArray("blocks");
        HtmlPage page = (HtmlPage) r[1];
        for (String field : new String[] {"norm_delta", "relative", "cosine"}) {
            HtmlAssertions.barsShow(HtmlPage.bars(page.requireSvg(field)), column(blocks, field));
        }
    }

    @Test
    void averageWithRatiosDrawsTheWeightOfEachPart() throws Exception {
        Path pre = BlockModels.write(tmp.resolve("pre"), BlockModels.layout(6), 1);
        Path post = BlockModels.write(tmp.resolve("post"), BlockModels.layout(6), 2);
        Object[] r = run("average", pre.toString(), post.toString(), "--ratios", "0.2,0.5,0.8", "--blocks", "3",
                "-o", tmp.resolve("out").toString());
        HtmlPage page = (HtmlPage) r[1];
        List<HtmlPage.Bar> parts = HtmlPage.bars(page.requireSvg("ratios"));
        HtmlAssertions.barsShow(parts, new double[] {0.2, 0.5, 0.8});
        // per block: each block carries its part's weight, a step over depth
        HtmlAssertions.barsShow(HtmlPage.bars(page.requireSvg("weight")), new double[] {0.2, 0.2, 0.5, 0.5, 0.8, 0.8});
    }

    @Test
    void scaleSearchSweepMarksTheChosenAlpha() throws Exception {
        Path root = SharedFixtures.root();
        assumeTrue(root != null, "shared fixtures not found (../shared): skipping the search page check");
        Path tb = root.resolve("fixtures/testbed");
        assumeTrue(Files.isDirectory(tb.resolve("base")), "testbed missing: " + tb + "; skipping");
        Object[] r = run("scale", tb.resolve("base").toString(), tb.resolve("ft-code").toString(), "--search",
                "--target", tb.resolve("eval/code.bin").toString(), "--control", tb.resolve("eval/prose.bin").toString(),
                "--seq-len", "64", "--max-windows", "2", "-o", tmp.resolve("out").toString());
        JsonObject search = ((JsonObject) r[0]).getAsJsonObject("search");
        Element svg = ((HtmlPage) r[1]).svgs().stream().filter(s -> s.getAttribute("data-kind").equals("sweep")
                && s.getAttribute("data-field").equals("score")).findFirst().orElseThrow();
        List<HtmlPage.Point> pts = HtmlPage.points(svg);
        JsonArray sweep = search.getAsJsonArray("sweep");
        assertThat(pts).hasSize(sweep.size());
        for (int i = 0; i < pts.size(); i++) {
            JsonElement row = sweep.get(i);
            assertThat(pts.get(i).x()).isEqualTo(row.getAsJsonObject().get("alpha").getAsDouble());
            assertThat(pts.get(i).y()).isEqualTo(row.getAsJsonObject().get("score").getAsDouble());
        }
        assertThat(pts).filteredOn(HtmlPage.Point::chosen).singleElement()
                .satisfies(p -> assertThat(p.x()).isEqualTo(search.get("chosen_alpha").getAsDouble()));
    }

    @Test
    void anUnwritablePageIsExitFourInOneLineAndLeavesNothing() throws Exception {
        Path a = BlockModels.write(tmp.resolve("a"), BlockModels.layout(1), 1);
        Path file = Files.writeString(tmp.resolve("plain-file"), "x");
        CommandRun run = CommandRun.of("diff", a.toString(), a.toString(), "--report-html", file.resolve("page.html").toString());
        assertThat(run.code()).as(run.toString()).isEqualTo(4);
        assertThat(run.err().strip().lines()).singleElement().satisfies(l -> assertThat(l).startsWith("surgeon: error: ")
                .contains("page.html").contains("cannot write HTML report"));
        try (Stream<Path> left = Files.list(tmp)) {
            assertThat(left.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
        }
    }

    @Test
    void anExistingPageIsReplacedWhole() throws Exception {
        Path a = BlockModels.write(tmp.resolve("a"), BlockModels.layout(2), 1);
        Path b = BlockModels.write(tmp.resolve("b"), BlockModels.layout(2), 2);
        Path html = tmp.resolve("page.html");
        Files.writeString(html, "old page ".repeat(100_000));
        CommandRun run = CommandRun.of("diff", a.toString(), b.toString(), "--report-html", html.toString());
        assertThat(run.code()).as(run.toString()).isZero();
        String text = Files.readString(html);
        assertThat(text).startsWith("<!DOCTYPE html>").doesNotContain("old page");
        assertThat(HtmlPage.parse(text).requireSvg("norm_delta")).isNotNull();
    }
}
