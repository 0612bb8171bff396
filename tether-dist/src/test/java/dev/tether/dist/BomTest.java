package dev.tether.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.SAXException;

/**
 * tether-bom has no parent (docs/RELEASING.md says why), so nothing keeps it in step with the build by itself: its
 * version must be the project's, and it must manage exactly the library modules (those with a module-info.java),
 * each at the project's version.
 */
class BomTest {
    private static final Path ROOT = Path.of(System.getProperty("tether.root", ".."));

    @Test
    void bomHasTheProjectsVersionAndNoParent() throws Exception {
        Element root = pom(ROOT.resolve("pom.xml"));
        Element bom = pom(ROOT.resolve("tether-bom/pom.xml"));
        assertThat(child(bom, "version")).isEqualTo(child(root, "version"));
        assertThat(child(bom, "groupId")).isEqualTo(child(root, "groupId"));
        assertThat(bom.getElementsByTagName("parent").getLength())
                .as("an imported BOM brings its parent's dependencyManagement along")
                .isZero();
    }

    @Test
    void bomManagesExactlyTheLibraryModulesAtTheProjectVersion() throws Exception {
        Element root = pom(ROOT.resolve("pom.xml"));
        Set<String> libraries = new TreeSet<>();
        for (String module : children(root, "modules", "module")) {
            if (Files.exists(ROOT.resolve(module).resolve("src/main/java/module-info.java"))) libraries.add(module);
        }
        assertThat(libraries).contains("tether-core", "tether-testkit");

        Element bom = pom(ROOT.resolve("tether-bom/pom.xml"));
        Set<String> managed = new TreeSet<>();
        Element deps =
                (Element) bom.getElementsByTagName("dependencyManagement").item(0);
        for (Element d : elements(deps.getElementsByTagName("dependency"))) {
            assertThat(child(d, "groupId")).isEqualTo(child(root, "groupId"));
            assertThat(child(d, "version")).as(child(d, "artifactId")).isEqualTo("${project.version}");
            managed.add(child(d, "artifactId"));
        }
        assertThat(managed).as("tether-bom's dependencyManagement").isEqualTo(libraries);
    }

    private static Element pom(Path file) throws IOException, ParserConfigurationException, SAXException {
        Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(file.toFile());
        return doc.getDocumentElement();
    }

    /** The text of {@code parent}'s direct child element {@code name}. */
    private static String child(Element parent, String name) {
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals(name))
                return e.getTextContent().strip();
        }
        throw new AssertionError("no <" + name + "> in <" + parent.getTagName() + ">");
    }

    private static List<String> children(Element parent, String list, String item) {
        Element l = (Element) parent.getElementsByTagName(list).item(0);
        return elements(l.getElementsByTagName(item)).stream()
                .map(e -> e.getTextContent().strip())
                .toList();
    }

    private static List<Element> elements(org.w3c.dom.NodeList nodes) {
        List<Element> out = new ArrayList<>();
        for (int i = 0; i < nodes.getLength(); i++) out.add((Element) nodes.item(i));
        return out;
    }
}
