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
 * configuration is read, never on an event loop, and again every {@code dnsRefreshSeconds} (the appliance swaps
 * the new address in for the following requests; a failed lookup keeps the last address and is counted). The
 * records' own TTLs are not read (JNDI does not give them): the refresh period stands for them.
 */
public final class NextHops {
    /** The DNS lookups, replaceable in tests. */
    public interface Dns {
        /** SRV records of {@code name} as "priority weight port target", empty if none. */
        List<String> srv(String name) throws NamingException;

        /** The first address of {@code host}. */
        InetAddress address(String host) throws UnknownHostException;
    }

    /** The system's resolver (JNDI's DNS provider for SRV, the JDK resolver for A/AAAA). */
    public static final Dns SYSTEM = new Dns() {
        @Override
        public List<String> srv(String name) throws NamingException {
            Hashtable<String, String> env = new Hashtable<>();
            env.put("java.naming.factory.initial", "com.sun.jndi.dns.DnsContextFactory");
            env.put("com.sun.jndi.dns.timeout.initial", "1000");
            env.put("com.sun.jndi.dns.timeout.retries", "2");
            InitialDirContext ctx = new InitialDirContext(env);
            try {
                Attributes attrs = ctx.getAttributes(name, new String[] {"SRV"});
                Attribute srv = attrs.get("SRV");
                List<String> out = new ArrayList<>();
                if (srv != null) {
                    for (int i = 0; i < srv.size(); i++) {
                        out.add(String.valueOf(srv.get(i)));
                    }
                }
                return out;
            } catch (javax.naming.NameNotFoundException e) {
                return List.of();
            } finally {
                ctx.close();
            }
        }

        @Override
        public InetAddress address(String host) throws UnknownHostException {
            return InetAddress.getByName(host);
        }
    };

    private NextHops() {
    }

    /**
     * The address of next hop {@code value} for a listening point using {@code transport} (udp, tcp, tls).
     * IP literals are used as they are. Throws IllegalArgumentException saying what failed.
     */
    public static InetSocketAddress resolve(String value, String transport, Dns dns) {
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
                List<String> records = dns.srv(service);
                if (!records.isEmpty()) {
                    String[] best = records.stream().map(r -> r.trim().split("\\s+")).filter(r -> r.length == 4)
                            .min(Comparator.<String[]>comparingInt(r -> Integer.parseInt(r[0]))
                                    .thenComparing(r -> -Integer.parseInt(r[1])))
                            .orElseThrow(() -> new IllegalArgumentException("malformed SRV records for " + service));
                    String target = best[3].endsWith(".") ? best[3].substring(0, best[3].length() - 1) : best[3];
                    return new InetSocketAddress(dns.address(target), Integer.parseInt(best[2]));
                }
            }
            int p = port >= 0 ? port : transport.equals("tls") ? 5061 : 5060;
            return new InetSocketAddress(isLiteral(host) ? InetAddress.getByName(host) : dns.address(host), p);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("cannot resolve '" + host + "': " + e.getMessage());
        } catch (NamingException e) {
            throw new IllegalArgumentException("SRV lookup for '" + host + "' failed: " + e.getMessage());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("malformed SRV record for '" + host + "'");
        }
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
