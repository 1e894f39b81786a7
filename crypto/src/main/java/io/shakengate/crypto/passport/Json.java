package io.shakengate.crypto.passport;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A strict, small JSON parser for PASSporT segments (RFC 8259): objects become {@code LinkedHashMap}
 * (duplicate names are an error, RFC 7515 section 4), arrays {@code List}, integers {@code Long}, other
 * numbers {@code Double}, plus String, Boolean and {@code NULL}. Bounded: nesting depth 16. Returns null on
 * any syntax error instead of throwing (malformed tokens are expected input). Also used for the HTTP API's
 * request bodies, which need the same strictness; {@link #quote} writes strings for their responses.
 */
public final class Json {
    /** The JSON null value (Java null means "did not parse"). */
    public static final Object NULL = new Object() {
        @Override
        public String toString() {
            return "null";
        }
    };
    private static final int MAX_DEPTH = 16;

    private final byte[] s;
    private int p;
    private final int end;

    private Json(byte[] s, int from, int end) {
        this.s = s;
        this.p = from;
        this.end = end;
    }

    /** The object in {@code bytes} (UTF-8), or null if it is not exactly one well-formed JSON object. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> parseObject(byte[] bytes, int from, int end) {
        Json j = new Json(bytes, from, end);
        try {
            j.ws();
            if (j.p >= j.end || j.s[j.p] != '{') {
                return null;
            }
            Object v = j.value(0);
            j.ws();
            return j.p == j.end ? (Map<String, Object>) v : null;
        } catch (Malformed e) {
            return null;
        }
    }

    /** Appends {@code v} as a JSON string: quotes, backslash and control characters escaped. */
    public static StringBuilder quote(StringBuilder b, String v) {
        b.append('"');
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.append('"');
    }

    /**
     * Appends {@code v} (Map with String keys, List, String, Long/Integer, Boolean, {@link #NULL}) in the
     * deterministic form of RFC 8225 section 9: object members in lexicographic key order at every depth, no
     * whitespace, strings escaped only where JSON requires it.
     */
    public static StringBuilder canonical(StringBuilder b, Object v) {
        if (v instanceof Map<?, ?> m) {
            java.util.TreeMap<String, Object> sorted = new java.util.TreeMap<>();
            for (Map.Entry<?, ?> e : m.entrySet()) {
                sorted.put((String) e.getKey(), e.getValue());
            }
            b.append('{');
            boolean first = true;
            for (Map.Entry<String, Object> e : sorted.entrySet()) {
                if (!first) {
                    b.append(',');
                }
                first = false;
                quote(b, e.getKey()).append(':');
                canonical(b, e.getValue());
            }
            return b.append('}');
        }
        if (v instanceof List<?> l) {
            b.append('[');
            for (int i = 0; i < l.size(); i++) {
                if (i > 0) {
                    b.append(',');
                }
                canonical(b, l.get(i));
            }
            return b.append(']');
        }
        if (v instanceof String str) {
            return quote(b, str);
        }
        if (v instanceof Long || v instanceof Integer || v instanceof Boolean) {
            return b.append(v);
        }
        if (v == NULL) {
            return b.append("null");
        }
        throw new IllegalArgumentException("not a PASSporT JSON value: " + v);
    }

    private static final class Malformed extends Exception {
        private static final long serialVersionUID = 1L;

        Malformed() {
            super(null, null, false, false);
        }
    }

    private void ws() {
        while (p < end && (s[p] == ' ' || s[p] == '\t' || s[p] == '\n' || s[p] == '\r')) {
            p++;
        }
    }

    private Object value(int depth) throws Malformed {
        if (depth > MAX_DEPTH || p >= end) {
            throw new Malformed();
        }
        switch (s[p]) {
            case '{':
                return object(depth);
            case '[':
                return array(depth);
            case '"':
                return string();
            case 't':
                return literal("true", Boolean.TRUE);
            case 'f':
                return literal("false", Boolean.FALSE);
            case 'n':
                return literal("null", NULL);
            default:
                return number();
        }
    }

    private Map<String, Object> object(int depth) throws Malformed {
        Map<String, Object> m = new LinkedHashMap<>();
        p++;
        ws();
        if (p < end && s[p] == '}') {
            p++;
            return m;
        }
        while (true) {
            ws();
            if (p >= end || s[p] != '"') {
                throw new Malformed();
            }
            String key = string();
            ws();
            expect(':');
            ws();
            Object v = value(depth + 1);
            if (m.put(key, v) != null) {
                throw new Malformed();
            }
            ws();
            if (p < end && s[p] == ',') {
                p++;
                continue;
            }
            expect('}');
            return m;
        }
    }

    private List<Object> array(int depth) throws Malformed {
        List<Object> list = new ArrayList<>(2);
        p++;
        ws();
        if (p < end && s[p] == ']') {
            p++;
            return list;
        }
        while (true) {
            ws();
            list.add(value(depth + 1));
            ws();
            if (p < end && s[p] == ',') {
                p++;
                continue;
            }
            expect(']');
            return list;
        }
    }

    private void expect(char c) throws Malformed {
        if (p >= end || s[p] != c) {
            throw new Malformed();
        }
        p++;
    }

    private Object literal(String word, Object v) throws Malformed {
        for (int i = 0; i < word.length(); i++) {
            if (p + i >= end || s[p + i] != word.charAt(i)) {
                throw new Malformed();
            }
        }
        p += word.length();
        return v;
    }

    private String string() throws Malformed {
        p++;
        int start = p;
        boolean plain = true;
        while (p < end && s[p] != '"') {
            if (s[p] == '\\') {
                plain = false;
                p++;
            } else if ((s[p] & 0xff) < 0x20) {
                throw new Malformed();
            }
            p++;
        }
        if (p >= end) {
            throw new Malformed();
        }
        int stop = p++;
        if (plain) {
            return new String(s, start, stop - start, StandardCharsets.UTF_8);
        }
        StringBuilder b = new StringBuilder(stop - start);
        for (int i = start; i < stop; ) {
            if (s[i] != '\\') {
                int j = i;
                while (j < stop && s[j] != '\\') {
                    j++;
                }
                b.append(new String(s, i, j - i, StandardCharsets.UTF_8));
                i = j;
                continue;
            }
            if (i + 1 >= stop) {
                throw new Malformed();
            }
            char c = (char) s[i + 1];
            switch (c) {
                case '"', '\\', '/' -> b.append(c);
                case 'b' -> b.append('\b');
                case 'f' -> b.append('\f');
                case 'n' -> b.append('\n');
                case 'r' -> b.append('\r');
                case 't' -> b.append('\t');
                case 'u' -> {
                    if (i + 6 > stop) {
                        throw new Malformed();
                    }
                    try {
                        b.append((char) Integer.parseInt(new String(s, i + 2, 4, StandardCharsets.US_ASCII), 16));
                    } catch (NumberFormatException e) {
                        throw new Malformed();
                    }
                    i += 4;
                }
                default -> throw new Malformed();
            }
            i += 2;
        }
        return b.toString();
    }

    private Object number() throws Malformed {
        int start = p;
        if (p < end && s[p] == '-') {
            p++;
        }
        int digits = p;
        while (p < end && s[p] >= '0' && s[p] <= '9') {
            p++;
        }
        if (p == digits || (s[digits] == '0' && p - digits > 1)) {
            throw new Malformed();
        }
        boolean integer = true;
        if (p < end && s[p] == '.') {
            integer = false;
            p++;
            int f = p;
            while (p < end && s[p] >= '0' && s[p] <= '9') {
                p++;
            }
            if (p == f) {
                throw new Malformed();
            }
        }
        if (p < end && (s[p] == 'e' || s[p] == 'E')) {
            integer = false;
            p++;
            if (p < end && (s[p] == '+' || s[p] == '-')) {
                p++;
            }
            int e = p;
            while (p < end && s[p] >= '0' && s[p] <= '9') {
                p++;
            }
            if (p == e) {
                throw new Malformed();
            }
        }
        String text = new String(s, start, p - start, StandardCharsets.US_ASCII);
        try {
            return integer && p - digits <= 18 ? (Object) Long.parseLong(text) : (Object) Double.parseDouble(text);
        } catch (NumberFormatException e) {
            throw new Malformed();
        }
    }
}
