package io.shakengate.crypto.passport;

/**
 * Telephone-number canonicalisation for PASSporT {@code orig}/{@code dest} claims (RFC 8224 section 8.3):
 * drop a leading '+', drop visual separators ({@code - . ( )} and spaces), keep digits, '*' and '#'.
 * Anything else means the identity is not a telephone number (RFC 8224 section 8.1), and SHAKEN cannot sign
 * or verify it as one.
 */
public final class TelephoneNumbers {
    private TelephoneNumbers() {
    }

    /** The canonical form of {@code number}, or null if it is not a telephone number. */
    public static String canonicalize(CharSequence number) {
        if (number == null) {
            return null;
        }
        StringBuilder out = new StringBuilder(number.length());
        for (int i = 0; i < number.length(); i++) {
            char c = number.charAt(i);
            if ((c >= '0' && c <= '9') || c == '*' || c == '#') {
                out.append(c);
            } else if (c == '+' && out.length() == 0) {
                continue;
            } else if (c != '-' && c != '.' && c != '(' && c != ')' && c != ' ') {
                return null;
            }
        }
        return out.length() == 0 ? null : out.toString();
    }

    /**
     * The canonical form of a number with a {@code phone-context} (a local number of a tel: URI, RFC 3966):
     * when the context is a global number prefix ({@code +1}), the number becomes that prefix followed by
     * the local digits. A local policy, not fixed by RFC 8224 ("convert to E.164 if possible").
     */
    public static String canonicalize(CharSequence number, String phoneContext) {
        String local = canonicalize(number);
        if (local == null || phoneContext == null || !phoneContext.startsWith("+")) {
            return local;
        }
        boolean serviceCode = local.indexOf('*') >= 0 || local.indexOf('#') >= 0;
        String prefix = canonicalize(phoneContext);
        return serviceCode || prefix == null ? local : prefix + local;
    }

    /** True if {@code tn} is already canonical: only digits, '*' and '#'. */
    public static boolean isCanonical(String tn) {
        for (int i = 0; i < tn.length(); i++) {
            char c = tn.charAt(i);
            if (!((c >= '0' && c <= '9') || c == '*' || c == '#')) {
                return false;
            }
        }
        return !tn.isEmpty();
    }
}
