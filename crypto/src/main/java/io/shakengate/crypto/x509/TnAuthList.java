package io.shakengate.crypto.x509;

import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.ASN1TaggedObject;

import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

/**
 * The TNAuthList extension of a SHAKEN certificate (RFC 8226 section 9, OID 1.3.6.1.5.5.7.1.26):
 * {@code SEQUENCE OF TNEntry}, each an explicitly tagged choice of a Service Provider Code [0], a number
 * range [1] or one number [2]. SHAKEN certificates carry one SPC.
 *
 * @param spcs    the Service Provider Codes
 * @param numbers the single telephone numbers
 */
public record TnAuthList(List<String> spcs, List<String> numbers) {
    /** The extension's OID. */
    public static final String OID = "1.3.6.1.5.5.7.1.26";

    /** The list in {@code cert}, or null when the extension is absent or does not parse. */
    public static TnAuthList of(X509Certificate cert) {
        byte[] ext = cert.getExtensionValue(OID);
        if (ext == null) {
            return null;
        }
        try {
            // getExtensionValue wraps the extnValue in one more OCTET STRING
            return parse(ASN1OctetString.getInstance(ext).getOctets());
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** Parses the DER of the extension value; null if it is not a TNAuthorizationList. */
    public static TnAuthList parse(byte[] der) {
        try {
            ASN1Sequence seq = ASN1Sequence.getInstance(ASN1Primitive.fromByteArray(der));
            List<String> spcs = new ArrayList<>(1);
            List<String> numbers = new ArrayList<>(0);
            for (ASN1Encodable e : seq) {
                ASN1TaggedObject tagged = ASN1TaggedObject.getInstance(e);
                if (tagged.getTagNo() == 0 && tagged.getExplicitBaseObject() instanceof ASN1String s) {
                    spcs.add(s.getString());
                } else if (tagged.getTagNo() == 2 && tagged.getExplicitBaseObject() instanceof ASN1String s) {
                    numbers.add(s.getString());
                } else if (tagged.getTagNo() != 1) {
                    return null;
                }
            }
            return seq.size() == 0 ? null : new TnAuthList(List.copyOf(spcs), List.copyOf(numbers));
        } catch (java.io.IOException | RuntimeException e) {
            return null;
        }
    }
}
