package io.shakengate.crypto.x509;

import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.ASN1TaggedObject;
import org.bouncycastle.asn1.DERIA5String;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.DERTaggedObject;

import java.math.BigInteger;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The TNAuthList extension of a SHAKEN certificate (RFC 8226 section 9, OID 1.3.6.1.5.5.7.1.26):
 * {@code SEQUENCE OF TNEntry}, each an explicitly tagged choice of a Service Provider Code [0], a number
 * range [1] ({@code SEQUENCE { start TelephoneNumber, count INTEGER (2..MAX) }}) or one number [2]. A service
 * provider's certificate carries one SPC; a delegate certificate (RFC 9060, ATIS-1000092) carries numbers and
 * ranges.
 *
 * <p>Which numbers a list covers ({@link #covers}): every number when it holds an SPC (which numbers an SPC
 * holds is the number administrator's record, not the certificate's: a verifier cannot check it, so an SPC
 * list is taken to cover any number); otherwise the numbers listed and those inside a range, compared as
 * digit strings of the same length ({@code start <= tn < start + count}).
 *
 * @param spcs    the Service Provider Codes
 * @param numbers the single telephone numbers
 * @param ranges  the number ranges
 */
public record TnAuthList(List<String> spcs, List<String> numbers, List<Range> ranges) {
    /** The extension's OID. */
    public static final String OID = "1.3.6.1.5.5.7.1.26";
    private static final Pattern TN = Pattern.compile("[0-9]{1,15}");
    /** A TelephoneNumber of a {@code one} entry: RFC 8226 allows '#' and '*' (a range's start has neither). */
    private static final Pattern ONE = Pattern.compile("[0-9#*]{1,15}");

    /**
     * A range of {@code count} numbers from {@code start}, all of {@code start}'s length.
     *
     * @param start the first number (digits)
     * @param count how many numbers, at least 2 (RFC 8226)
     */
    public record Range(String start, long count) {
        /** Refuses a start that is not 1 to 15 digits, a count below 2, or a range past the numbers of its length. */
        public Range {
            if (start == null || !TN.matcher(start).matches()) {
                throw new IllegalArgumentException("a range start must be 1 to 15 digits, was: " + start);
            }
            if (count < 2 || new BigInteger(start).add(BigInteger.valueOf(count - 1)).toString().length()
                    > start.length()) {
                throw new IllegalArgumentException("a range of " + count + " from " + start
                        + " must hold 2 or more numbers of " + start.length() + " digits");
            }
        }

        /** Whether {@code tn} (digits) is inside. */
        public boolean covers(String tn) {
            if (tn.length() != start.length() || tn.compareTo(start) < 0) {
                return false;
            }
            return Long.parseLong(tn) - Long.parseLong(start) < count;
        }

        /** Whether every number of {@code other} is inside. */
        public boolean covers(Range other) {
            return covers(other.start) && covers(other.last());
        }

        /** The last number. */
        public String last() {
            String s = Long.toString(Long.parseLong(start) + count - 1);
            return "0".repeat(start.length() - s.length()) + s;
        }

        @Override
        public String toString() {
            return start + "-" + last();
        }
    }

    /** A list, copied. */
    public TnAuthList {
        spcs = List.copyOf(spcs);
        numbers = List.copyOf(numbers);
        ranges = List.copyOf(ranges);
    }

    /** A list of SPCs and numbers, without ranges. */
    public TnAuthList(List<String> spcs, List<String> numbers) {
        this(spcs, numbers, List.of());
    }

    /** A list with the one SPC {@code spc}. */
    public static TnAuthList ofSpc(String spc) {
        return new TnAuthList(List.of(spc), List.of(), List.of());
    }

    /**
     * A list from its text form, entries separated by commas or blanks: {@code spc:1234}, a number
     * {@code 12025550100} (a leading {@code +} ignored), or a range {@code 12025550100-12025550199}.
     */
    public static TnAuthList parseText(String text) {
        List<String> spcs = new ArrayList<>();
        List<String> numbers = new ArrayList<>();
        List<Range> ranges = new ArrayList<>();
        for (String e : text.trim().split("[,\\s]+")) {
            if (e.isEmpty()) {
                continue;
            }
            if (e.startsWith("spc:")) {
                spcs.add(e.substring(4));
                continue;
            }
            String t = e.startsWith("+") ? e.substring(1) : e;
            int dash = t.indexOf('-');
            if (dash < 0) {
                if (!TN.matcher(t).matches()) {
                    throw new IllegalArgumentException("'" + e + "' is not a number of 1 to 15 digits");
                }
                numbers.add(t);
                continue;
            }
            String first = t.substring(0, dash);
            String last = t.substring(dash + 1).replaceFirst("^\\+", "");
            if (!TN.matcher(first).matches() || !TN.matcher(last).matches() || first.length() != last.length()
                    || last.compareTo(first) <= 0) {
                throw new IllegalArgumentException("'" + e + "' is not a range FIRST-LAST of numbers of one length, "
                        + "FIRST below LAST");
            }
            ranges.add(new Range(first, Long.parseLong(last) - Long.parseLong(first) + 1));
        }
        if (spcs.isEmpty() && numbers.isEmpty() && ranges.isEmpty()) {
            throw new IllegalArgumentException("a TNAuthList needs at least one entry");
        }
        return new TnAuthList(spcs, numbers, ranges);
    }

    /** Whether this is a delegate list: numbers or ranges, no SPC. */
    public boolean delegate() {
        return spcs.isEmpty();
    }

    /** Whether the list covers the number {@code tn} (digits; a leading {@code +} ignored). See the class text. */
    public boolean covers(String tn) {
        if (!spcs.isEmpty()) {
            return true;
        }
        if (tn == null) {
            return false;
        }
        String t = tn.startsWith("+") ? tn.substring(1) : tn;
        if (numbers.contains(t)) {
            return true;
        }
        for (Range r : ranges) {
            if (r.covers(t)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether this list (an issuer's) encompasses {@code child} (RFC 9060 section 8): an SPC list encompasses
     * any list (see the class text); a number list encompasses a child whose every number and range it covers,
     * and never a child with an SPC.
     */
    public boolean encompasses(TnAuthList child) {
        if (!spcs.isEmpty()) {
            return true;
        }
        if (!child.spcs.isEmpty()) {
            return false;
        }
        for (String n : child.numbers) {
            if (!covers(n)) {
                return false;
            }
        }
        outer:
        for (Range c : child.ranges) {
            for (Range r : ranges) {
                if (r.covers(c)) {
                    continue outer;
                }
            }
            return false;
        }
        return true;
    }

    /** The DER of the extension value. */
    public byte[] encoded() {
        ASN1EncodableVector v = new ASN1EncodableVector();
        for (String s : spcs) {
            v.add(new DERTaggedObject(true, 0, new DERIA5String(s)));
        }
        for (Range r : ranges) {
            v.add(new DERTaggedObject(true, 1, new DERSequence(new ASN1Encodable[] {
                new DERIA5String(r.start()), new ASN1Integer(r.count())})));
        }
        for (String n : numbers) {
            v.add(new DERTaggedObject(true, 2, new DERIA5String(n)));
        }
        try {
            return new DERSequence(v).getEncoded();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

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
            List<Range> ranges = new ArrayList<>(0);
            for (ASN1Encodable e : seq) {
                ASN1TaggedObject tagged = ASN1TaggedObject.getInstance(e);
                if (tagged.getTagNo() == 0 && tagged.getExplicitBaseObject() instanceof ASN1String s) {
                    spcs.add(s.getString());
                } else if (tagged.getTagNo() == 2 && tagged.getExplicitBaseObject() instanceof ASN1String s
                        && ONE.matcher(s.getString()).matches()) {
                    numbers.add(s.getString());
                } else if (tagged.getTagNo() == 1) {
                    ASN1Sequence r = ASN1Sequence.getInstance(tagged.getExplicitBaseObject());
                    if (r.size() < 2 || !(r.getObjectAt(0) instanceof ASN1String start)
                            || !(r.getObjectAt(1) instanceof ASN1Integer count)
                            || count.getValue().bitLength() > 62) {
                        return null;
                    }
                    ranges.add(new Range(start.getString(), count.getValue().longValue()));
                } else {
                    return null;
                }
            }
            return seq.size() == 0 ? null : new TnAuthList(spcs, numbers, ranges);
        } catch (java.io.IOException | RuntimeException e) {
            return null;
        }
    }
}
