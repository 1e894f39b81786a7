package io.shakengate.proxy.config;

import javax.naming.NamingException;
import javax.naming.directory.Attribute;
import javax.naming.directory.Attributes;
import javax.naming.directory.InitialDirContext;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Hashtable;
import java.util.List;

/**
 * Next hops named by DNS (RFC 3263, simplified): {@code host:port} resolves the host's A/AAAA record;
 * a bare {@code host} first asks for SRV records ({@code _sip._udp}, {@code _sip._tcp} or {@code _sips._tcp}
 * by the listening point's transport) and takes the target of the lowest priority with the highest weight,
 * else the host's A/AAAA record on the transport's default port (5060, or 5061 for TLS). Resolved when the
 * configuration is read, never on an event loop, and again when the records' TTL runs out (at most every
 * {@code dnsRefreshSeconds}); the appliance swaps the new address in for the following requests; a failed lookup
 * keeps the last address and is counted. The system resolver is dnsjava's (the servers of /etc/resolv.conf),
 * which gives the records' TTLs; a name it does not find (from /etc/hosts, say) is asked of the JDK's resolver,
 * without a TTL.
 */
public final class NextHops {
    /** An SRV record: priority, weight, port, target, and its TTL in seconds (-1: not known). */
    public record Srv(int priority, int weight, int port, String target, long ttl) {
    }

    /** An address record and its TTL in seconds (-1: not known). */
    public record Address(InetAddress address, long ttl) {
    }

    /** A next hop as resolved: its address, and the smallest TTL of the records that gave it (-1: not known). */
    public record Resolved(InetSocketAddress address, long ttl) {
    }

    /** The DNS lookups, replaceable in tests. */
    public interface Dns {
        /** SRV records of {@code name} as "priority weight port target", empty if none. */
        List<String> srv(String name) throws NamingException;

        /** The first address of {@code host}. */
        InetAddress address(String host) throws UnknownHostException;

        /** SRV records of {@code name} with their TTLs, empty if none; by default {@link #srv}'s, TTLs unknown. */
        default List<Srv> srvRecords(String name) throws NamingException {
            List<Srv> out = new ArrayList<>();
            for (String r : srv(name)) {
                String[] f = r.trim().split("\\s+");
                if (f.length != 4) {
                    throw new NamingException("malformed SRV record '" + r + "'");
                }
                out.add(new Srv(Integer.parseInt(f[0]), Integer.parseInt(f[1]), Integer.parseInt(f[2]), f[3], -1));
            }
            return out;
        }

        /** The first address of {@code host} with its TTL; by default {@link #address}'s, TTL unknown. */
        default Address addressRecord(String host) throws UnknownHostException {
            return new Address(address(host), -1);
        }
    }

    /**
     * The system's resolver: dnsjava over the servers of /etc/resolv.conf (1 s per try, 2 tries per server, as
     * the JNDI lookups before it), else the JDK's (hosts file).
     */
    public static final Dns SYSTEM = overDns(systemResolver(), true);

    private static org.xbill.DNS.Resolver systemResolver() {
        org.xbill.DNS.ExtendedResolver r = new org.xbill.DNS.ExtendedResolver();
        r.setTimeout(java.time.Duration.ofSeconds(1));
        r.setRetries(2);
        return r;
    }

    /**
     * DNS over {@code resolver} (dnsjava), nothing cached between lookups (each refresh asks the servers, so that
     * the TTLs are the servers').
     */
    public static Dns overDns(org.xbill.DNS.Resolver resolver) {
        return overDns(resolver, false);
    }

    private static Dns overDns(org.xbill.DNS.Resolver resolver, boolean hostsFile) {
        return new Dns() {
            private org.xbill.DNS.Lookup lookup(String name, int type) throws org.xbill.DNS.TextParseException {
                org.xbill.DNS.Lookup l = new org.xbill.DNS.Lookup(name.endsWith(".") ? name : name + ".", type);
                l.setCache(null);
                l.setResolver(resolver);
                return l;
            }

            @Override
            public List<String> srv(String name) throws NamingException {
                List<String> out = new ArrayList<>();
                for (Srv r : srvRecords(name)) {
                    out.add(r.priority() + " " + r.weight() + " " + r.port() + " " + r.target());
                }
                return out;
            }

            @Override
            public List<Srv> srvRecords(String name) throws NamingException {
                try {
                    org.xbill.DNS.Lookup l = lookup(name, org.xbill.DNS.Type.SRV);
                    org.xbill.DNS.Record[] records = l.run();
                    if (l.getResult() == org.xbill.DNS.Lookup.TRY_AGAIN) {
                        throw new NamingException("no answer for " + name + " (" + l.getErrorString() + ")");
                    }
                    List<Srv> out = new ArrayList<>();
                    if (records != null) {
                        for (org.xbill.DNS.Record r : records) {
                            if (r instanceof org.xbill.DNS.SRVRecord srv) {
                                out.add(new Srv(srv.getPriority(), srv.getWeight(), srv.getPort(),
                                        srv.getTarget().toString(), srv.getTTL()));
                            }
                        }
                    }
                    return out;
                } catch (org.xbill.DNS.TextParseException e) {
                    throw new NamingException("not a DNS name: " + name);
                }
            }

            @Override
            public InetAddress address(String host) throws UnknownHostException {
                return addressRecord(host).address();
            }

            @Override
            public Address addressRecord(String host) throws UnknownHostException {
                try {
                    for (int type : new int[] {org.xbill.DNS.Type.A, org.xbill.DNS.Type.AAAA}) {
                        org.xbill.DNS.Lookup l = lookup(host, type);
                        org.xbill.DNS.Record[] records = l.run();
                        if (l.getResult() == org.xbill.DNS.Lookup.TRY_AGAIN) {
                            throw new UnknownHostException(host + ": no answer (" + l.getErrorString() + ")");
                        }
                        if (records != null) {
                            for (org.xbill.DNS.Record r : records) {
                                InetAddress found = r instanceof org.xbill.DNS.ARecord a ? a.getAddress()
                                        : r instanceof org.xbill.DNS.AAAARecord a ? a.getAddress() : null;
                                if (found != null) {
                                    // named as asked, without the root's dot
                                    return new Address(InetAddress.getByAddress(host.endsWith(".")
                                            ? host.substring(0, host.length() - 1) : host, found.getAddress()),
                                            r.getTTL());
                                }
                            }
                        }
                    }
                } catch (org.xbill.DNS.TextParseException e) {
                    throw new UnknownHostException("not a DNS name: " + host);
                }
                if (!hostsFile) {
                    throw new UnknownHostException(host + ": no A or AAAA record");
                }
                return new Address(InetAddress.getByName(host), -1); // the hosts file, say
            }
        };
    }

    private NextHops() {
    }

    /**
     * The address of next hop {@code value} for a listening point using {@code transport} (udp, tcp, tls).
     * IP literals are used as they are. Throws IllegalArgumentException saying what failed.
     */
    public static InetSocketAddress resolve(String value, String transport, Dns dns) {
        return lookup(value, transport, dns).address();
    }

    /** As {@link #resolve}, with the smallest TTL of the records used (-1 if not known or a literal). */
    public static Resolved lookup(String value, String transport, Dns dns) {
        String v = value.trim();
        String host;
        int port = -1;
        if (v.startsWith("[")) {
            int close = v.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("unbalanced [ in '" + v + "'");
            }
            host = v.substring(1, close);
            if (close + 1 < v.length()) {
                port = port(v.substring(close + 1), v);
            }
        } else {
            int colon = v.indexOf(':');
            if (colon >= 0 && v.indexOf(':', colon + 1) >= 0) {
                host = v; // a bare IPv6 literal
            } else {
                host = colon < 0 ? v : v.substring(0, colon);
                port = colon < 0 ? -1 : port(v.substring(colon), v);
            }
        }
        if (host.isEmpty()) {
            throw new IllegalArgumentException("no host in '" + v + "'");
        }
        try {
            if (port < 0 && !isLiteral(host)) {
                String service = (transport.equals("tls") ? "_sips._tcp." : transport.equals("tcp") ? "_sip._tcp."
                        : "_sip._udp.") + host;
                List<Srv> records = new java.util.ArrayList<>(dns.srvRecords(service));
                if (!records.isEmpty()) {
                    records.sort(Comparator.comparingInt(Srv::priority).thenComparing(r -> -r.weight()));
                    UnknownHostException unresolved = null;
                    for (Srv best : records) {
                        if (best.port() < 1 || best.port() > 65535) {
                            throw new IllegalArgumentException("SRV record for " + service + " has port " + best.port());
                        }
                        String target = best.target().endsWith(".")
                                ? best.target().substring(0, best.target().length() - 1) : best.target();
                        if (target.isEmpty()) {
                            // RFC 2782: a target of "." says the service is decidedly not available at this domain
                            throw new IllegalArgumentException("SRV record for " + service + " says no SIP service"
                                    + " there (target \".\")");
                        }
                        try {
                            Address a = dns.addressRecord(target);
                            return new Resolved(new InetSocketAddress(a.address(), best.port()),
                                    minTtl(best.ttl(), a.ttl()));
                        } catch (UnknownHostException e) {
                            unresolved = e; // the next target, in the order of RFC 3263 section 4.3
                        }
                    }
                    throw unresolved;
                }
            }
            int p = port >= 0 ? port : transport.equals("tls") ? 5061 : 5060;
            if (isLiteral(host)) {
                return new Resolved(new InetSocketAddress(InetAddress.getByName(host), p), -1);
            }
            Address a = dns.addressRecord(host);
            return new Resolved(new InetSocketAddress(a.address(), p), a.ttl());
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("cannot resolve '" + host + "': " + e.getMessage());
        } catch (NamingException e) {
            throw new IllegalArgumentException("SRV lookup for '" + host + "' failed: " + e.getMessage());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("malformed SRV record for '" + host + "'");
        }
    }

    /**
     * Every SRV target of bare host name {@code value} for {@code transport}, in the order they are tried (RFC 3263
     * section 4.3): lowest priority first, within one priority the highest weight first (a fixed order, not
     * RFC 2782's weighted random pick: every appliance tries the same target first, and a weight-0 target
     * last); targets whose name does not resolve are left out (and said, in {@code skipped}). Empty when
     * {@code value} is not a bare name or has no SRV record; throws as {@link #resolve} when no target resolves.
     */
    public static List<InetSocketAddress> targets(String value, String transport, Dns dns, List<String> skipped) {
        String host = value.trim();
        if (!isName(host) || host.indexOf(':') >= 0) {
            return List.of();
        }
        String service = (transport.equals("tls") ? "_sips._tcp." : transport.equals("tcp") ? "_sip._tcp."
                : "_sip._udp.") + host;
        List<Srv> records;
        try {
            records = new java.util.ArrayList<>(dns.srvRecords(service));
        } catch (NamingException e) {
            throw new IllegalArgumentException("SRV lookup for '" + host + "' failed: " + e.getMessage());
        }
        records.sort(Comparator.comparingInt(Srv::priority).thenComparing(r -> -r.weight()));
        List<InetSocketAddress> out = new java.util.ArrayList<>();
        for (Srv r : records) {
            String target = r.target().endsWith(".") ? r.target().substring(0, r.target().length() - 1) : r.target();
            if (target.isEmpty() || r.port() < 1 || r.port() > 65535) {
                continue;
            }
            try {
                InetSocketAddress a = new InetSocketAddress(dns.addressRecord(target).address(), r.port());
                if (!out.contains(a)) {
                    out.add(a);
                }
            } catch (UnknownHostException e) {
                skipped.add(target + ": " + e.getMessage());
            }
        }
        if (out.isEmpty() && !records.isEmpty()) {
            throw new IllegalArgumentException("no SRV target of " + service + " resolves: " + skipped);
        }
        return out;
    }

    /** The smaller of two TTLs, -1 meaning not known. */
    private static long minTtl(long a, long b) {
        return a < 0 ? b : b < 0 ? a : Math.min(a, b);
    }

    private static int port(String colonPort, String whole) {
        try {
            int p = Integer.parseInt(colonPort.substring(1));
            if (!colonPort.startsWith(":") || p < 1 || p > 65535) {
                throw new NumberFormatException();
            }
            return p;
        } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
            throw new IllegalArgumentException("bad port in '" + whole + "'");
        }
    }

    /** True if {@code host} (without brackets) is an IPv4 or IPv6 literal, decided on the text alone. */
    public static boolean isLiteral(String host) {
        if (host.indexOf(':') >= 0) {
            return true;
        }
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            if (c != '.' && (c < '0' || c > '9')) {
                return false;
            }
        }
        return true;
    }

    /** True if next hop {@code value} ({@code host}, {@code host:port}, or a literal) names a host by DNS. */
    public static boolean isName(String value) {
        String v = value.trim();
        if (v.startsWith("[")) {
            return false;
        }
        int colon = v.indexOf(':');
        if (colon >= 0 && v.indexOf(':', colon + 1) >= 0) {
            return false; // a bare IPv6 literal
        }
        String host = colon < 0 ? v : v.substring(0, colon);
        return !host.isEmpty() && !isLiteral(host);
    }
}
