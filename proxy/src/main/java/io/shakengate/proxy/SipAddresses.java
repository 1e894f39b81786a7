package io.shakengate.proxy;

import io.shakengate.codec.SipMessage;
import io.shakengate.codec.ViaHeader;

import java.net.InetSocketAddress;

/**
 * The SIP proxy front's addressing: where a response goes (RFC 3261 section 18.2.2 with RFC 3581), which
 * Vias and Routes name the point, the IP literals of Vias, Routes and Request-URIs (parsed once per host
 * text and remembered, never looked up in DNS), and the branch of a forwarded request. One instance per
 * handler (its cache is its event loop's only).
 */
final class SipAddresses {
    private static final byte[] HEX = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    /** True if {@code uri} names {@code hostPort} (port 5060 when absent). */
    static boolean names(io.shakengate.codec.SipUri uri, String hostPort) {
        String host = uri.host();
        if (host == null) {
            return false;
        }
        String sentBy = host + ":" + (uri.port() < 0 ? 5060 : uri.port());
        return sentBy.equalsIgnoreCase(hostPort) || (uri.port() < 0 && host.equalsIgnoreCase(hostPort));
    }

    /** The address of {@code uri} when its host is an IP literal, else null. */
    InetSocketAddress literal(io.shakengate.codec.SipUri uri) {
        java.net.InetAddress address = uri.host() == null ? null : literalAddress(uri.host());
        return address == null ? null : new InetSocketAddress(address, uri.port() < 0 ? 5060 : uri.port());
    }

    /** RFC 3261 section 18.2.2 with RFC 3581: received, then rport, then sent-by; IP literals only. */
    InetSocketAddress destination(ViaHeader via) {
        String host = via.received() != null ? via.received() : via.host();
        int port = via.rport() > 0 ? via.rport() : via.port() > 0 ? via.port() : 5060;
        java.net.InetAddress address = literalAddress(host);
        return address == null ? null : new InetSocketAddress(address, port);
    }

    /**
     * The address of {@code host} (IPv6 in brackets or not) when it is an IP literal, else null; parsed once per
     * host text and remembered by this handler (never looked up in DNS).
     */
    java.net.InetAddress literalAddress(String host) {
        java.net.InetAddress address = literals.get(host);
        if (address == null) {
            String bare = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
            if (!io.shakengate.proxy.config.NextHops.isLiteral(bare)) {
                return null;
            }
            try {
                address = java.net.InetAddress.getByName(bare); // a literal: parsed, never looked up
            } catch (java.net.UnknownHostException e) {
                return null;
            }
            if (literals.size() >= LITERALS_REMEMBERED) {
                literals.clear();
            }
            literals.put(host, address);
        }
        return address;
    }

    /** How many hosts (IP literals of Vias, Routes, Request-URIs) one handler remembers parsed. */
    private static final int LITERALS_REMEMBERED = 1024;
    /** Via host text to its parsed address; this handler's event loop only. */
    private final java.util.HashMap<String, java.net.InetAddress> literals = new java.util.HashMap<>();

    /** True if {@code via}'s sent-by is this point's advertised host[:port] (compared without building text). */
    static boolean isOurs(ViaHeader via, String advertised) {
        String host = via.host();
        int port = via.port();
        if (port < 0) {
            return host.equalsIgnoreCase(advertised);
        }
        int hl = host.length();
        return advertised.length() > hl + 1 && advertised.regionMatches(true, 0, host, 0, hl)
                && advertised.charAt(hl) == ':' && portIs(advertised, hl + 1, port);
    }

    private static boolean portIs(String text, int from, int port) {
        int value = 0;
        for (int i = from; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9' || value > 65535) {
                return false;
            }
            value = value * 10 + (c - '0');
        }
        return value == port;
    }

    /** z9hG4bK + a hash of the incoming top Via branch, this point's name and the transaction key fields. */
    static String branch(SipMessage m, String pointName) {
        long h = 0xcbf29ce484222325L;
        h = fnv(h, m.topVia().branch());
        h = fnv(h, pointName);
        if (!m.topVia().hasRfc3261Branch()) {
            h = fnv(h, m.callId());
            h = fnv(h, Long.toString(m.cseq().number()));
            h = fnv(h, m.from().tag());
        }
        byte[] out = new byte[16];
        for (int i = 15; i >= 0; i--) {
            out[i] = HEX[(int) (h & 15)];
            h >>>= 4;
        }
        return "z9hG4bK-sg-" + new String(out, java.nio.charset.StandardCharsets.US_ASCII);
    }

    private static long fnv(long h, String s) {
        if (s == null) {
            return h;
        }
        for (int i = 0; i < s.length(); i++) {
            h = (h ^ s.charAt(i)) * 0x100000001b3L;
        }
        return h;
    }

}
