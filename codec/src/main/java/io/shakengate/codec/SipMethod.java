package io.shakengate.codec;


/**
 * SIP request methods. Methods are case-sensitive (RFC 3261 section 7.1): {@code invite} is an extension
 * method, not INVITE. Anything else is {@link #OTHER}, and its name is read from the message.
 */
public enum SipMethod {
    /** An extension method; {@link SipMessage#methodName()} has its name. */
    OTHER,
    INVITE, ACK, BYE, CANCEL, OPTIONS, REGISTER, PRACK, UPDATE, INFO, SUBSCRIBE, NOTIFY, REFER, MESSAGE, PUBLISH;

    private static final SipMethod[] VALUES = values();
    private final byte[] bytes = name().getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    /** The method named by the bytes {@code [start, end)}, matched exactly (case-sensitive). */
    static SipMethod of(byte[] buf, int start, int end) {
        int len = end - start;
        byte first = buf[start];
        for (int m = 1; m < VALUES.length; m++) {
            byte[] b = VALUES[m].bytes;
            if (b.length == len && b[0] == first && matches(b, buf, start)) {
                return VALUES[m];
            }
        }
        return OTHER;
    }

    /** The method named {@code name} exactly, or {@link #OTHER}. */
    public static SipMethod of(String name) {
        for (int m = 1; m < VALUES.length; m++) {
            if (VALUES[m].name().equals(name)) {
                return VALUES[m];
            }
        }
        return OTHER;
    }

    private static boolean matches(byte[] b, byte[] buf, int start) {
        for (int i = 1; i < b.length; i++) {
            if (b[i] != buf[start + i]) {
                return false;
            }
        }
        return true;
    }
}
