package dev.surgeon.cli.report.html;

import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;

import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A --report-html page read back as XML (the page is written well-formed), with the charts' data
 * in reach: each svg by its data-field, its bars and points with their data-* values and geometry.
 */
public final class HtmlPage {
    private final Document doc;

    private HtmlPage(Document doc) {
        this.doc = doc;
    }

    /** Parses the whole page; a malformed page (or svg in it) fails here. */
    public static HtmlPage parse(String html) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(false);
        f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        f.setExpandEntityReferences(false);
        DocumentBuilder b = f.newDocumentBuilder();
        b.setErrorHandler(null);
        return new HtmlPage(b.parse(new InputSource(new StringReader(html))));
    }

    public List<Element> svgs() {
        return elements(doc.getDocumentElement(), "svg");
    }

    public Optional<Element> svg(String field) {
        return svgs().stream().filter(s -> s.getAttribute("data-field").equals(field)).findFirst();
    }

    public Element requireSvg(String field) {
        return svg(field).orElseThrow(() -> new AssertionError("no chart of " + field));
    }

    public Document document() {
        return doc;
    }

    public static List<Element> elements(Element root, String tag) {
        NodeList nl = root.getElementsByTagName(tag);
        List<Element> out = new ArrayList<>();
        for (int i = 0; i < nl.getLength(); i++) {
            out.add((Element) nl.item(i));
        }
        return out;
    }

    /** A bar: its category, exact value, and top / height in pixels. */
    public record Bar(String x, double value, double px, double top, double height) {
        public double bottom() {
            return top + height;
        }
    }

    public static List<Bar> bars(Element svg) {
        List<Bar> out = new ArrayList<>();
        for (Element r : elements(svg, "rect")) {
            if (r.getAttribute("class").startsWith("bar")) {
                out.add(new Bar(r.getAttribute("data-x"), Double.parseDouble(r.getAttribute("data-value")),
                        Double.parseDouble(r.getAttribute("x")), Double.parseDouble(r.getAttribute("y")),
                        Double.parseDouble(r.getAttribute("height"))));
            }
        }
        return out;
    }

    /** A point of a line chart: exact x, y, pixel position, and whether it is the chosen one. */
    public record Point(double x, double y, double cx, double cy, boolean chosen, String title) {
    }

    public static List<Point> points(Element svg) {
        List<Point> out = new ArrayList<>();
        for (Element c : elements(svg, "circle")) {
            String cls = c.getAttribute("class");
            if (cls.startsWith("point")) {
                out.add(new Point(Double.parseDouble(c.getAttribute("data-x")), Double.parseDouble(c.getAttribute("data-y")),
                        Double.parseDouble(c.getAttribute("cx")), Double.parseDouble(c.getAttribute("cy")), cls.contains("chosen"),
                        c.getElementsByTagName("title").item(0).getTextContent()));
            }
        }
        return out;
    }
}
