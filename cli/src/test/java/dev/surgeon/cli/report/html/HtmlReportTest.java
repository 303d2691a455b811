package dev.surgeon.cli.report.html;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The page drawn from a report JSON made here: every chart's data against the numbers it came from. */
class HtmlReportTest {
    static final double[] SPARSITY = {0.1, 0.5, 0.25, 0.0, 0.75};
    static final double[] SCORE = {0.2, 0.9, 1.4, 1.1, 0.3};
    static final double[] ALPHA = {1.0, 0.8, 0.6, 0.4, 0.2};

    /** A report as a command would emit it, with hostile text where users supply names. */
    static JsonObject report(int tensors) {
        JsonObject r = new JsonObject();
        r.addProperty("tool", "surgeon");
        r.addProperty("version", "0.1.0");
        r.addProperty("command", "prune");
        r.addProperty("method", "ecoflap");
        JsonArray inputs = new JsonArray();
        JsonObject in = new JsonObject();
        in.addProperty("path", "models/<base> & \"co\"");
        in.addProperty("tensors", tensors);
        in.addProperty("bytes", 123456789L);
        in.addProperty("sha256", "ab".repeat(32));
        inputs.add(in);
        r.add("inputs", inputs);
        JsonObject params = new JsonObject();
        params.addProperty("ratio", 0.5);
        params.add("pivots", new JsonArray());
        r.add("params", params);
        JsonObject summary = new JsonObject();
        summary.addProperty("sparsity", 0.32);
        summary.addProperty("peak_rss_bytes", 1234567L);
        r.add("summary", summary);
        JsonArray blocks = new JsonArray();
        for (int i = 0; i < SPARSITY.length; i++) {
            JsonObject b = new JsonObject();
            b.addProperty("index", i);
            b.addProperty("weights", 1000);
            b.addProperty("sparsity", SPARSITY[i]);
            b.addProperty("score", i - 2.0);
            blocks.add(b);
        }
        r.add("blocks", blocks);
        JsonObject search = new JsonObject();
        JsonArray sweep = new JsonArray();
        for (int i = 0; i < ALPHA.length; i++) {
            JsonObject row = new JsonObject();
            row.addProperty("alpha", ALPHA[i]);
            row.addProperty("beta", 0.5);
            row.addProperty("score", SCORE[i]);
            row.addProperty("nll_target", 2.0 - i * 0.1);
            sweep.add(row);
        }
        search.add("sweep", sweep);
        search.addProperty("chosen_alpha", 0.6);
        r.add("search", search);
        JsonArray ts = new JsonArray();
        for (int i = 0; i < tensors; i++) {
            JsonObject t = new JsonObject();
            t.addProperty("name", "model.layers." + i + ".mlp.<up>&proj.weight");
            t.addProperty("dtype", "BF16");
            JsonArray shape = new JsonArray();
            shape.add(3072);
            shape.add(8192);
            t.add("shape", shape);
            t.addProperty("sparsity", (i % 10) / 10.0);
            ts.add(t);
        }
        r.add("tensors", ts);
        JsonArray warnings = new JsonArray();
        warnings.add("tensor <script>alert('x')</script> & friends see https://example.com");
        r.add("warnings", warnings);
        return r;
    }

    @Test
    void perBlockBarsCarryTheReportsValuesWithProportionalHeights() throws Exception {
        HtmlPage page = HtmlPage.parse(HtmlReport.render(report(10)));
        Element svg = page.requireSvg("sparsity");
        assertThat(svg.getAttribute("data-kind")).isEqualTo("bar");
        assertThat(svg.getAttribute("viewBox")).isEqualTo("0 0 600 260");
        List<HtmlPage.Bar> bars = HtmlPage.bars(svg);
        HtmlAssertions.barsShow(bars, SPARSITY);
        assertThat(bars).extracting(HtmlPage.Bar::x).containsExactly("0", "1", "2", "3", "4");
        // each bar's tooltip holds its value
        List<Element> rects = HtmlPage.elements(svg, "rect");
        assertThat(rects.get(4).getElementsByTagName("title").item(0).getTextContent()).isEqualTo("block 4: sparsity 0.75");
        // bookkeeping counts get no chart
        assertThat(page.svg("weights")).isEmpty();
        assertThat(page.svg("index")).isEmpty();
    }

    @Test
    void negativeValuesHangBelowTheZeroLine() throws Exception {
        HtmlPage page = HtmlPage.parse(HtmlReport.render(report(0)));
        List<HtmlPage.Bar> bars = HtmlPage.bars(page.requireSvg("score"));
        HtmlAssertions.barsShow(bars, new double[] {-2, -1, 0, 1, 2});
        assertThat(bars.get(0).top()).isCloseTo(bars.get(4).bottom(), within(0.02));
    }

    @Test
    void sweepCurveMarksTheChosenAlphaAndMapsScoresMonotonically() throws Exception {
        HtmlPage page = HtmlPage.parse(HtmlReport.render(report(0)));
        Element svg = page.requireSvg("score");
        // two charts hold "score": the per-block bars and the sweep; the sweep comes later on the page
        Element sweep = page.svgs().stream().filter(s -> s.getAttribute("data-kind").equals("sweep")
                && s.getAttribute("data-field").equals("score")).findFirst().orElseThrow();
        assertThat(svg).isNotSameAs(sweep);
        List<HtmlPage.Point> pts = HtmlPage.points(sweep);
        assertThat(pts).extracting(HtmlPage.Point::x).containsExactly(1.0, 0.8, 0.6, 0.4, 0.2);
        assertThat(pts).extracting(HtmlPage.Point::y).containsExactly(0.2, 0.9, 1.4, 1.1, 0.3);
        assertThat(pts).filteredOn(HtmlPage.Point::chosen).singleElement().satisfies(p -> {
            assertThat(p.x()).isEqualTo(0.6);
            assertThat(p.title()).startsWith("chosen: alpha 0.6, score 1.4");
        });
        for (int i = 0; i < pts.size(); i++) {
            for (int j = 0; j < pts.size(); j++) {
                if (pts.get(i).x() < pts.get(j).x()) {
                    assertThat(pts.get(i).cx()).isLessThan(pts.get(j).cx());
                }
                if (pts.get(i).y() < pts.get(j).y()) {
                    assertThat(pts.get(i).cy()).as("higher score, higher on the chart").isGreaterThan(pts.get(j).cy());
                }
            }
        }
        // the NLL curve too; beta, constant over the sweep, is no curve
        assertThat(page.svg("nll_target")).isPresent();
        assertThat(page.svg("beta")).isEmpty();
    }

    @Test
    void fiveThousandTensorsMakeAHistogramAndASmallPage() throws Exception {
        String html = HtmlReport.render(report(5000));
        assertThat(html.getBytes(StandardCharsets.UTF_8).length).isLessThan(1_000_000);
        assertThat(html).doesNotContain("model.layers.17.mlp");
        HtmlPage page = HtmlPage.parse(html);
        Element hist = page.svgs().stream().filter(s -> s.getAttribute("data-kind").equals("histogram")).findFirst().orElseThrow();
        assertThat(hist.getAttribute("data-field")).isEqualTo("sparsity");
        List<HtmlPage.Bar> bars = HtmlPage.bars(hist);
        assertThat(bars).hasSize(20);
        assertThat(bars.stream().mapToDouble(HtmlPage.Bar::value).sum()).isEqualTo(5000);
        // sparsities 0, 0.1, ..., 0.9, 500 each, in bins of 0.05: every other bin holds 500
        for (int i = 0; i < 20; i++) {
            assertThat(bars.get(i).value()).as("bin " + i).isEqualTo(i % 2 == 0 ? 500 : 0);
        }
    }

    @Test
    void userTextIsEscapedAndThePageRunsAndFetchesNothing() throws Exception {
        String html = HtmlReport.render(report(3));
        HtmlAssertions.selfContained(html.replace("https://example.com", "EXAMPLE"));
        assertThat(html).contains("tensor &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; friends");
        assertThat(html).contains("models/&lt;base&gt; &amp; &quot;co&quot;");
        assertThat(html).contains("ab".repeat(32));
        HtmlPage page = HtmlPage.parse(html);
        assertThat(page.document().getElementsByTagName("script").getLength()).isZero();
        assertThat(page.svgs()).allSatisfy(s -> {
            assertThat(s.getAttribute("xmlns")).isEqualTo(Svg.XMLNS);
            assertThat(s.getAttribute("viewBox")).isNotEmpty();
            assertThat(s.getElementsByTagName("title").getLength()).isPositive();
        });
    }

    @Test
    void eachChartHasItsNumbersInATableBesideIt() throws Exception {
        String html = HtmlReport.render(report(0));
        HtmlPage page = HtmlPage.parse(html);
        for (Element fig : HtmlPage.elements(page.document().getDocumentElement(), "div")) {
            if (!fig.getAttribute("class").equals("fig")) {
                continue;
            }
            assertThat(fig.getElementsByTagName("svg").getLength()).isEqualTo(1);
            assertThat(fig.getElementsByTagName("table").getLength()).isEqualTo(1);
        }
        assertThat(html).contains("<tr><td>4</td><td>0.75</td></tr>");
    }

    @Test
    void compCandidatesAreACurveWithTheChosenOneMarked() throws Exception {
        JsonObject r = new JsonObject();
        r.addProperty("command", "prune");
        JsonArray cands = new JsonArray();
        double[] nll = {2.5, 2.1, 2.3};
        for (int i = 0; i < nll.length; i++) {
            JsonObject c = new JsonObject();
            c.addProperty("calibration_nll", nll[i]);
            c.addProperty("chosen", i == 1);
            cands.add(c);
        }
        r.add("candidates", cands);
        List<HtmlPage.Point> pts = HtmlPage.points(HtmlPage.parse(HtmlReport.render(r)).requireSvg("calibration_nll"));
        assertThat(pts).extracting(HtmlPage.Point::y).containsExactly(2.5, 2.1, 2.3);
        assertThat(pts).filteredOn(HtmlPage.Point::chosen).singleElement().satisfies(p -> assertThat(p.x()).isEqualTo(1.0));
    }

    @Test
    void aReportWithoutBlocksOrSearchStillRenders() throws Exception {
        JsonObject r = new JsonObject();
        r.addProperty("tool", "surgeon");
        r.addProperty("command", "inspect");
        r.add("warnings", new JsonArray());
        String html = HtmlReport.render(r);
        HtmlPage page = HtmlPage.parse(html);
        assertThat(page.svgs()).isEmpty();
        assertThat(html).contains("<h1>surgeon inspect</h1>").contains("<p>none</p>");
    }
}
