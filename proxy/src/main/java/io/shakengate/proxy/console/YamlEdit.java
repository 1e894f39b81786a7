package io.shakengate.proxy.console;

import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.common.FlowStyle;
import org.snakeyaml.engine.v2.composer.Composer;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

import java.util.List;

/**
 * Edits YAML as text, where the node tree says: a value replaced in its place, a key or list item inserted
 * after its siblings (a line in block style, {@code , k: v} in flow style) or deleted with its lines. Every
 * byte outside the edited span stays as it was, comments included; only comments inside a removed item go
 * with it. Paths name mapping keys from the document's root.
 */
final class YamlEdit {
    private YamlEdit() {
    }

    /** Sets {@code path} (mapping keys) to {@code value} (YAML text, flow style), making missing mappings. */
    static String set(String text, List<String> path, String value) {
        MappingNode m = root(text);
        for (int i = 0; i < path.size(); i++) {
            NodeTuple t = find(m, path.get(i));
            if (t == null) {
                String v = value;
                for (int j = path.size() - 1; j > i; j--) {
                    v = "{ " + path.get(j) + ": " + v + " }";
                }
                return insert(text, m, path.get(i), v);
            }
            if (i == path.size() - 1) {
                return text.substring(0, start(text, t.getValueNode())) + value
                        + text.substring(end(text, t.getValueNode()));
            }
            if (!(t.getValueNode() instanceof MappingNode next)) {
                throw new IllegalArgumentException(String.join(".", path.subList(0, i + 1)) + " is not a mapping");
            }
            m = next;
        }
        throw new IllegalArgumentException("an empty path");
    }

    /** Removes the key {@code path} names, if present. */
    static String remove(String text, List<String> path) {
        MappingNode m = mapping(text, path.subList(0, path.size() - 1));
        if (m == null) {
            return text;
        }
        List<NodeTuple> ts = m.getValue();
        for (int k = 0; k < ts.size(); k++) {
            NodeTuple t = ts.get(k);
            if (t.getKeyNode() instanceof ScalarNode s && s.getValue().equals(path.get(path.size() - 1))) {
                if (m.getFlowStyle() == FlowStyle.FLOW) {
                    return cutFlow(text, start(text, t.getKeyNode()), end(text, t.getValueNode()), k, ts.size());
                }
                return text.substring(0, lineStart(text, start(text, t.getKeyNode())))
                        + text.substring(lineAfter(text, end(text, t.getValueNode())));
            }
        }
        return text;
    }

    /** The items of the list at {@code path}, or null when absent. */
    static SequenceNode sequence(String text, List<String> path) {
        MappingNode m = mapping(text, path.subList(0, path.size() - 1));
        NodeTuple t = m == null ? null : find(m, path.get(path.size() - 1));
        return t != null && t.getValueNode() instanceof SequenceNode s ? s : null;
    }

    /** Inserts {@code item} (flow-style YAML) into the list at {@code path} before index {@code at} (or last). */
    static String insertItem(String text, List<String> path, String item, int at) {
        SequenceNode s = sequence(text, path);
        if (s == null) {
            MappingNode m = mapping(text, path.subList(0, path.size() - 1));
            if (m == null || find(m, path.get(path.size() - 1)) != null) {
                if (m == null) {
                    return set(text, path, "[ " + item + " ]");
                }
                throw new IllegalArgumentException(String.join(".", path) + " is not a list");
            }
            return insert(text, m, path.get(path.size() - 1), "[ " + item + " ]");
        }
        List<Node> items = s.getValue();
        int n = items.size();
        int k = Math.max(0, Math.min(at, n));
        if (s.getFlowStyle() == FlowStyle.FLOW || n == 0) {
            if (k < n) {
                int p = start(text, items.get(k));
                return text.substring(0, p) + item + ", " + text.substring(p);
            }
            int close = text.lastIndexOf(']', end(text, s));
            return text.substring(0, close) + (n == 0 ? item : ", " + item) + " " + text.substring(close);
        }
        int first = start(text, items.get(0));
        int dash = text.lastIndexOf('-', first);
        String indent = " ".repeat(dash - lineStart(text, dash));
        int p = k < n ? lineStart(text, start(text, items.get(k))) : lineAfter(text, end(text, items.get(n - 1)));
        String head = text.substring(0, p);
        if (!head.isEmpty() && !head.endsWith("\n")) {
            head += "\n";
        }
        return head + indent + "- " + item + "\n" + text.substring(p);
    }

    /** Removes item {@code at} of the list at {@code path}. */
    static String removeItem(String text, List<String> path, int at) {
        SequenceNode s = sequence(text, path);
        if (s == null || at < 0 || at >= s.getValue().size()) {
            throw new IllegalArgumentException(String.join(".", path) + " has no item " + (at + 1));
        }
        Node item = s.getValue().get(at);
        if (s.getFlowStyle() == FlowStyle.FLOW) {
            return cutFlow(text, start(text, item), end(text, item), at, s.getValue().size());
        }
        int dash = text.lastIndexOf('-', start(text, item));
        return text.substring(0, lineStart(text, dash)) + text.substring(lineAfter(text, end(text, item)));
    }

    /** The mapping at {@code path}, or null. */
    static MappingNode mapping(String text, List<String> path) {
        MappingNode m = root(text);
        for (String key : path) {
            NodeTuple t = find(m, key);
            if (t == null || !(t.getValueNode() instanceof MappingNode next)) {
                return null;
            }
            m = next;
        }
        return m;
    }

    /** The scalar entries of the mapping at {@code path} (empty when absent), in order. */
    static java.util.Map<String, String> scalars(String text, List<String> path) {
        java.util.Map<String, String> out = new java.util.LinkedHashMap<>();
        MappingNode m = mapping(text, path);
        if (m != null) {
            for (NodeTuple t : m.getValue()) {
                if (t.getKeyNode() instanceof ScalarNode k && t.getValueNode() instanceof ScalarNode v) {
                    out.put(k.getValue(), v.getValue());
                }
            }
        }
        return out;
    }

    /** The scalar values of {@code key} in the mappings of the list at {@code path}, in order. */
    static List<String> itemValues(String text, List<String> path, String key) {
        List<String> out = new java.util.ArrayList<>();
        SequenceNode s = sequence(text, path);
        for (Node item : s == null ? List.<Node>of() : s.getValue()) {
            if (item instanceof MappingNode m && find(m, key) != null
                    && find(m, key).getValueNode() instanceof ScalarNode v) {
                out.add(v.getValue());
            }
        }
        return out;
    }

    /** The keys of the mapping at {@code path} (empty when absent), in order. */
    static List<String> keys(String text, List<String> path) {
        List<String> out = new java.util.ArrayList<>();
        MappingNode m = mapping(text, path);
        if (m != null) {
            for (NodeTuple t : m.getValue()) {
                if (t.getKeyNode() instanceof ScalarNode k) {
                    out.add(k.getValue());
                }
            }
        }
        return out;
    }

    /** A flow-style YAML scalar: plain when it is a simple word, else double-quoted. */
    static String scalar(String v) {
        if (v.matches("[A-Za-z0-9][A-Za-z0-9_.-]*") && !v.matches("(?i)true|false|null|yes|no|on|off|~")) {
            return v;
        }
        StringBuilder b = new StringBuilder("\"");
        for (char c : v.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\x%02x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }

    private static String insert(String text, MappingNode m, String key, String value) {
        List<NodeTuple> ts = m.getValue();
        if (m.getFlowStyle() == FlowStyle.FLOW || ts.isEmpty()) {
            int close = text.lastIndexOf('}', end(text, m));
            if (close < 0) {
                throw new IllegalArgumentException("cannot add " + key + " here");
            }
            return text.substring(0, close) + (ts.isEmpty() ? " " : ", ") + key + ": " + value + " "
                    + text.substring(close);
        }
        int first = start(text, ts.get(0).getKeyNode());
        String indent = " ".repeat(first - lineStart(text, first));
        int p = lineAfter(text, end(text, ts.get(ts.size() - 1).getValueNode()));
        String head = text.substring(0, p);
        if (!head.isEmpty() && !head.endsWith("\n")) {
            head += "\n";
        }
        return head + indent + key + ": " + value + "\n" + text.substring(p);
    }

    /** Cuts a flow entry [from, to) with the comma that joins it to its neighbour. */
    private static String cutFlow(String text, int from, int to, int index, int size) {
        if (index + 1 < size) {
            int comma = text.indexOf(',', to);
            int next = comma + 1;
            while (next < text.length() && text.charAt(next) == ' ') {
                next++;
            }
            return text.substring(0, from) + text.substring(next);
        }
        if (index > 0) {
            int comma = text.lastIndexOf(',', from);
            return text.substring(0, comma) + text.substring(to);
        }
        return text.substring(0, from) + text.substring(to);
    }

    private static NodeTuple find(MappingNode m, String key) {
        for (NodeTuple t : m.getValue()) {
            if (t.getKeyNode() instanceof ScalarNode s && s.getValue().equals(key)) {
                return t;
            }
        }
        return null;
    }

    private static MappingNode root(String text) {
        try {
            Composer c = new Composer(LoadSettings.builder().build(),
                    new org.snakeyaml.engine.v2.parser.ParserImpl(LoadSettings.builder().build(),
                            new org.snakeyaml.engine.v2.scanner.StreamReader(LoadSettings.builder().build(), text)));
            Node n = c.getSingleNode().orElseThrow(() -> new IllegalArgumentException("the file is empty"));
            if (!(n instanceof MappingNode m)) {
                throw new IllegalArgumentException("the file is not a mapping");
            }
            return m;
        } catch (YamlEngineException e) {
            throw new IllegalArgumentException("the file is not valid YAML: " + e.getMessage());
        }
    }

    private static int start(String text, Node n) {
        return offset(text, n.getStartMark().orElseThrow());
    }

    private static int end(String text, Node n) {
        return offset(text, n.getEndMark().orElseThrow());
    }

    /** The char offset of a mark (its line and code-point column). */
    private static int offset(String text, Mark m) {
        int p = 0;
        for (int line = 0; line < m.getLine(); line++) {
            int nl = text.indexOf('\n', p);
            if (nl < 0) {
                return text.length();
            }
            p = nl + 1;
        }
        int at = p;
        for (int col = 0; col < m.getColumn() && at < text.length(); col++) {
            at += Character.charCount(text.codePointAt(at));
        }
        return at;
    }

    private static int lineStart(String text, int p) {
        return text.lastIndexOf('\n', p - 1) + 1;
    }

    /** The start of the line after the one {@code p} is on (or {@code p} when it starts a line already). */
    private static int lineAfter(String text, int p) {
        if (p > 0 && p <= text.length() && text.charAt(p - 1) == '\n') {
            return p;
        }
        int nl = text.indexOf('\n', p);
        return nl < 0 ? text.length() : nl + 1;
    }
}
