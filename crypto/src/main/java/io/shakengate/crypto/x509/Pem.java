package io.shakengate.crypto.x509;

import java.util.Base64;

/** PEM armour (RFC 7468): base64 in 64-character lines between BEGIN and END lines. */
public final class Pem {
    private Pem() {
    }

    /** {@code der} armoured as {@code type} ("CERTIFICATE", "PRIVATE KEY", ...). */
    public static String armour(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }
}
