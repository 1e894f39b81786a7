package io.shakengate.proxy.config;

import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads YAML as a node tree that remembers lines, so that every configuration error names its line: a
 * mapping refuses keys it does not know, a value of the wrong shape says what was expected.
 */
final class YamlNodes {
    private YamlNodes() {
    }

    static Node parse(String yaml, String source) {
        try {
            return new Compose(LoadSettings.builder().setLabel(source).build()).composeString(yaml)
                    .orElseThrow(() -> new ConfigException(source + ": empty configuration"));
        } catch (YamlEngineException e) {
            throw new ConfigException(source + ": not valid YAML: " + e.getMessage().replace('\n', ' '));
        }
    }

    static int line(Node n) {
        return n.getStartMark().map(m -> m.getLine() + 1).orElse(0);
    }

    static ConfigException error(Node n, String message) {
        return new ConfigException("line " + line(n) + ": " + message);
    }

    /** The mapping's entries by key; unknown keys are refused. */
    /** The keys and values of mapping {@code n}; keys outside {@code allowed} are refused (null: any key). */
    static Map<String, Node> mapping(Node n, String what, Set<String> allowed) {
        if (!(n instanceof MappingNode m)) {
            throw error(n, what + " must be a mapping");
        }
        Map<String, Node> out = new LinkedHashMap<>();
        for (NodeTuple t : m.getValue()) {
            String key = scalar(t.getKeyNode(), what + " key");
            if (allowed != null && !allowed.contains(key)) {
                throw error(t.getKeyNode(), "unknown key '" + key + "' in " + what + " (allowed: "
                        + String.join(", ", allowed) + ")");
            }
            if (out.put(key, t.getValueNode()) != null) {
                throw error(t.getKeyNode(), "duplicate key '" + key + "' in " + what);
            }
        }
        return out;
    }

    static String scalar(Node n, String what) {
        if (!(n instanceof ScalarNode s)) {
            throw error(n, what + " must be a single value");
        }
        return s.getValue();
    }

    static int integer(Node n, String what, int min, int max) {
        String v = scalar(n, what);
        try {
            int i = Integer.parseInt(v.trim());
            if (i < min || i > max) {
                throw error(n, what + " must be between " + min + " and " + max + ", was " + i);
            }
            return i;
        } catch (NumberFormatException e) {
            throw error(n, what + " must be a number, was '" + v + "'");
        }
    }

    static boolean bool(Node n, String what) {
        String v = scalar(n, what).trim();
        if (v.equals("true") || v.equals("false")) {
            return Boolean.parseBoolean(v);
        }
        throw error(n, what + " must be true or false, was '" + v + "'");
    }

    static List<Node> sequence(Node n, String what) {
        if (!(n instanceof SequenceNode s)) {
            throw error(n, what + " must be a list");
        }
        return new ArrayList<>(s.getValue());
    }

    static List<String> strings(Node n, String what) {
        List<String> out = new ArrayList<>();
        for (Node e : sequence(n, what)) {
            out.add(scalar(e, what + " entry"));
        }
        return out;
    }

    static <E extends Enum<E>> E choice(Node n, String what, Class<E> type) {
        String v = scalar(n, what).trim();
        for (E e : type.getEnumConstants()) {
            if (e.name().replace('_', '-').equalsIgnoreCase(v)) {
                return e;
            }
        }
        StringBuilder allowed = new StringBuilder();
        for (E e : type.getEnumConstants()) {
            allowed.append(allowed.length() == 0 ? "" : ", ").append(e.name().toLowerCase(java.util.Locale.ROOT)
                    .replace('_', '-'));
        }
        throw error(n, what + " must be one of " + allowed + ", was '" + v + "'");
    }
}
