package io.shakengate.proxy.identity;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.shakengate.crypto.testing.TestPki;
import io.shakengate.crypto.x509.CertificateRequests;
import io.shakengate.crypto.x509.Pem;
import io.shakengate.crypto.x509.TnAuthList;
import org.bouncycastle.asn1.pkcs.Attribute;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small test STI-CA with the STI steps pebble lacks, on loopback HTTPS: the RFC 8555 resources (directory,
 * nonces, accounts, orders, authorizations, challenges, finalize, certificate) for the {@code TNAuthList}
 * identifier (RFC 9447) with the {@code tkauth-01} challenge (RFC 9448), whose {@code atc} must be an SPC
 * token signed by the test STI-PA for that TNAuthList and the account key's fingerprint; and the STI-PA's
 * token endpoint (ATIS-1000080) that issues those tokens for a bearer credential. Every request's JWS is
 * verified (Nimbus) against the account key, its url and nonce checked. It issues from {@link TestPki}'s
 * intermediate with the TNAuthList of the CSR, which must be the one ordered. A {@link Mode} breaks one
 * thing on purpose. For tests only.
 */
final class TestStiCa implements AutoCloseable {
    /** What the CA gets wrong on purpose. */
    enum Mode { OK, SLOW, GARBAGE, OTHER_KEY, OTHER_TNAUTHLIST, REFUSE_TOKEN }

    static final String CREDENTIAL = "sti-pa-credential-0123456789";

    volatile Mode mode = Mode.OK;
    volatile long lifetimeMillis = 3_600_000L;
    final AtomicInteger issued = new AtomicInteger();
    final AtomicInteger tokens = new AtomicInteger();
    final AtomicInteger requests = new AtomicInteger();
    /** The DER of the last CSR finalized. */
    volatile byte[] lastCsr;

    private final TestPki pki;
    private final HttpsServer server;
    private final String base;
    private final ECKey stiPa;
    private final Map<String, Boolean> nonces = new ConcurrentHashMap<>();
    private final Map<String, ECKey> accounts = new ConcurrentHashMap<>();
    private final Map<String, Order> orders = new ConcurrentHashMap<>();
    private final AtomicInteger ids = new AtomicInteger();

    private static final class Order {
        final String id;
        final String account;
        final String value;
        volatile String status = "pending";
        volatile String authz = "pending";
        volatile String certPem;
        volatile String error;

        Order(String id, String account, String value) {
            this.id = id;
            this.account = account;
            this.value = value;
        }
    }

    TestStiCa(TestPki pki) throws Exception {
        this.pki = pki;
        KeyPair pa = CertificateRequests.newKeyPair();
        stiPa = new ECKey.Builder(com.nimbusds.jose.jwk.Curve.P_256, (ECPublicKey) pa.getPublic())
                .privateKey(pa.getPrivate()).build();
        TestPki.Issued tls = pki.tlsServer();
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("tls", tls.keys().getPrivate(), new char[0], new java.security.cert.Certificate[] {tls.cert()});
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, new char[0]);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        server.setHttpsConfigurator(new HttpsConfigurator(ctx));
        server.createContext("/", this::handle);
        server.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "test-sti-ca");
            t.setDaemon(true);
            return t;
        }));
        server.start();
        base = "https://127.0.0.1:" + server.getAddress().getPort();
    }

    String directory() {
        return base + "/acme/directory";
    }

    String tokenEndpoint() {
        return base + "/sti-pa/account/4711/token";
    }

    private void handle(HttpExchange x) throws IOException {
        requests.incrementAndGet();
        try {
            String path = x.getRequestURI().getPath();
            if (mode == Mode.SLOW && path.startsWith("/acme/")) {
                Thread.sleep(5000);
            }
            if (path.equals("/acme/directory")) {
                if (mode == Mode.GARBAGE) {
                    send(x, 200, "text/html", "<html>maintenance</html>");
                    return;
                }
                send(x, 200, "application/json", "{\"newNonce\":\"" + base + "/acme/nonce\",\"newAccount\":\""
                        + base + "/acme/account\",\"newOrder\":\"" + base + "/acme/order\"}");
                return;
            }
            if (path.equals("/acme/nonce")) {
                x.getResponseHeaders().add("Replay-Nonce", nonce());
                x.getResponseHeaders().add("Cache-Control", "no-store");
                x.sendResponseHeaders(x.getRequestMethod().equals("HEAD") ? 200 : 204, -1);
                x.close();
                return;
            }
            if (path.startsWith("/sti-pa/")) {
                token(x);
                return;
            }
            acme(x, path);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            problem(x, 500, "serverInternal", e.toString());
        }
    }

    /** The STI-PA token endpoint: an SPC token for the ATC in the request, to a known bearer. */
    private void token(HttpExchange x) throws Exception {
        String auth = x.getRequestHeaders().getFirst("Authorization");
        if (mode == Mode.REFUSE_TOKEN || !("Bearer " + CREDENTIAL).equals(auth)) {
            send(x, 403, "application/json", "{\"status\":\"failed\",\"message\":\"account not authorized\"}");
            return;
        }
        Map<String, Object> req = JSONObjectUtils.parse(new String(x.getRequestBody().readAllBytes(),
                StandardCharsets.UTF_8));
        Map<String, Object> atc = JSONObjectUtils.getJSONObject(req, "atc");
        Map<String, Object> claims = new java.util.LinkedHashMap<>();
        claims.put("iss", "test-sti-pa");
        claims.put("exp", System.currentTimeMillis() / 1000 + 300);
        claims.put("jti", UUID.randomUUID().toString());
        claims.put("atc", atc);
        JWSObject jws = new JWSObject(new JWSHeader.Builder(JWSAlgorithm.ES256).type(JOSEObjectType.JWT).build(),
                new Payload(claims));
        jws.sign(new ECDSASigner(stiPa));
        tokens.incrementAndGet();
        send(x, 200, "application/json", "{\"status\":\"success\",\"message\":\"token issued\",\"token\":\""
                + jws.serialize() + "\"}");
    }

    private void acme(HttpExchange x, String path) throws Exception {
        Map<String, Object> body = JSONObjectUtils.parse(new String(x.getRequestBody().readAllBytes(),
                StandardCharsets.UTF_8));
        JWSObject jws = new JWSObject(com.nimbusds.jose.util.Base64URL.from((String) body.get("protected")),
                com.nimbusds.jose.util.Base64URL.from((String) body.get("payload")),
                com.nimbusds.jose.util.Base64URL.from((String) body.get("signature")));
        JWSHeader h = jws.getHeader();
        if (!(base + path).equals(h.getCustomParam("url"))) {
            problem(x, 400, "malformed", "url " + h.getCustomParam("url") + " is not " + base + path);
            return;
        }
        if (nonces.remove(String.valueOf(h.getCustomParam("nonce"))) == null) {
            problem(x, 400, "badNonce", "unknown nonce");
            return;
        }
        String account;
        ECKey key;
        if (path.equals("/acme/account")) {
            key = (ECKey) h.getJWK();
            account = base + "/acme/acct/" + key.computeThumbprint();
        } else {
            account = h.getKeyID();
            key = account == null ? null : accounts.get(account);
            if (key == null) {
                problem(x, 400, "accountDoesNotExist", "no such account");
                return;
            }
        }
        if (!jws.verify(new ECDSAVerifier(key))) {
            problem(x, 400, "malformed", "bad JWS signature");
            return;
        }
        String text = jws.getPayload().toString();
        Map<String, Object> payload = text.isEmpty() ? Map.of() : JSONObjectUtils.parse(text);
        if (path.equals("/acme/account")) {
            boolean known = accounts.putIfAbsent(account, key) != null;
            x.getResponseHeaders().add("Location", account);
            send(x, known ? 200 : 201, "application/json", "{\"status\":\"valid\",\"orders\":\"" + account
                    + "/orders\"}");
        } else if (path.equals("/acme/order")) {
            List<Object> idents = JSONObjectUtils.getJSONArray(payload, "identifiers") == null ? List.of()
                    : Arrays.asList(JSONObjectUtils.getJSONArray(payload, "identifiers").toArray());
            @SuppressWarnings("unchecked")
            Map<String, Object> id = idents.size() == 1 ? (Map<String, Object>) idents.get(0) : Map.of();
            if (!"TNAuthList".equals(id.get("type"))) {
                problem(x, 400, "unsupportedIdentifier", "this STI-CA orders one TNAuthList identifier");
                return;
            }
            Order o = new Order(Integer.toString(ids.incrementAndGet()), account, (String) id.get("value"));
            orders.put(o.id, o);
            x.getResponseHeaders().add("Location", base + "/acme/orders/" + o.id);
            send(x, 201, "application/json", order(o));
        } else {
            String[] p = path.split("/");
            Order o = p.length == 4 ? orders.get(p[3]) : null;
            if (o == null || !o.account.equals(account)) {
                problem(x, 404, "malformed", "no such resource");
                return;
            }
            switch (p[2]) {
                case "orders" -> send(x, 200, "application/json", order(o));
                case "authz" -> send(x, 200, "application/json", authz(o));
                case "challenge" -> {
                    challenge(o, key, payload);
                    x.getResponseHeaders().add("Link", "<" + base + "/acme/authz/" + o.id + ">;rel=\"up\"");
                    send(x, 200, "application/json", challengeJson(o));
                }
                case "finalize" -> {
                    finalizeOrder(o, (String) payload.get("csr"));
                    x.getResponseHeaders().add("Location", base + "/acme/orders/" + o.id);
                    send(x, 200, "application/json", order(o));
                }
                case "cert" -> send(x, 200, "application/pem-certificate-chain", o.certPem);
                default -> problem(x, 404, "malformed", "no such resource");
            }
        }
    }

    /** tkauth-01: the atc must be the STI-PA's token for this TNAuthList and this account key. */
    private void challenge(Order o, ECKey account, Map<String, Object> payload) throws Exception {
        Object atc = payload.get("atc");
        String why = null;
        if (!(atc instanceof String t)) {
            why = "no atc in the challenge response";
        } else {
            JWSObject token = JWSObject.parse(t);
            Map<String, Object> claims = token.getPayload().toJSONObject();
            Map<String, Object> c = JSONObjectUtils.getJSONObject(claims, "atc");
            byte[] ordered = Base64.getUrlDecoder().decode(o.value);
            if (!token.verify(new ECDSAVerifier(stiPa.toPublicJWK()))) {
                why = "the token is not the STI-PA's";
            } else if (c == null || !Arrays.equals(ordered, Base64.getDecoder().decode((String) c.get("tkvalue")))) {
                why = "the token is for another TNAuthList";
            } else if (!SpcTokens.fingerprint(account.toECPublicKey()).equals(c.get("fingerprint"))) {
                why = "the token is for another account key";
            }
        }
        o.authz = why == null ? "valid" : "invalid";
        o.status = why == null ? "ready" : "invalid";
        o.error = why;
    }

    private void finalizeOrder(Order o, String csrB64) throws Exception {
        lastCsr = Base64.getUrlDecoder().decode(csrB64);
        PKCS10CertificationRequest csr = new PKCS10CertificationRequest(lastCsr);
        PublicKey key = new JcaPKCS10CertificationRequest(csr).getPublicKey();
        TnAuthList asked = null;
        for (Attribute a : csr.getAttributes(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest)) {
            Extensions e = Extensions.getInstance(a.getAttrValues().getObjectAt(0));
            var ext = e.getExtension(new org.bouncycastle.asn1.ASN1ObjectIdentifier(TnAuthList.OID));
            asked = ext == null ? null : TnAuthList.parse(ext.getExtnValue().getOctets());
        }
        TnAuthList ordered = TnAuthList.parse(Base64.getUrlDecoder().decode(o.value));
        if (asked == null || !asked.equals(ordered)) {
            o.status = "invalid";
            o.error = "the CSR's TNAuthList is not the one ordered";
            return;
        }
        if (mode == Mode.OTHER_KEY) {
            key = CertificateRequests.newKeyPair().getPublic();
        }
        TnAuthList granted = mode == Mode.OTHER_TNAUTHLIST ? TnAuthList.ofSpc("9999") : asked;
        long now = System.currentTimeMillis();
        X509Certificate cert = pki.issueFor(key, csr.getSubject().toString(), granted, now - 60_000,
                now - 60_000 + lifetimeMillis);
        o.certPem = Pem.armour("CERTIFICATE", cert.getEncoded()) + pki.intermediate.certPem();
        o.status = "valid";
        issued.incrementAndGet();
    }

    private String order(Order o) {
        return "{\"status\":\"" + o.status + "\",\"identifiers\":[{\"type\":\"TNAuthList\",\"value\":\"" + o.value
                + "\"}],\"authorizations\":[\"" + base + "/acme/authz/" + o.id + "\"],\"finalize\":\"" + base
                + "/acme/finalize/" + o.id + "\"" + (o.certPem == null ? "" : ",\"certificate\":\"" + base
                + "/acme/cert/" + o.id + "\"") + (o.error == null ? "" : ",\"error\":{\"type\":"
                + "\"urn:ietf:params:acme:error:unauthorized\",\"detail\":\"" + o.error + "\"}") + "}";
    }

    private String authz(Order o) {
        return "{\"status\":\"" + o.authz + "\",\"identifier\":{\"type\":\"TNAuthList\",\"value\":\"" + o.value
                + "\"},\"challenges\":[" + challengeJson(o) + "]}";
    }

    private String challengeJson(Order o) {
        return "{\"type\":\"tkauth-01\",\"url\":\"" + base + "/acme/challenge/" + o.id + "\",\"status\":\""
                + o.authz + "\",\"tkauth-type\":\"atc\",\"token-authority\":\"" + base + "/sti-pa\",\"token\":\""
                + "tk" + o.id + "\"" + (o.error == null ? "" : ",\"error\":{\"type\":"
                + "\"urn:ietf:params:acme:error:unauthorized\",\"detail\":\"" + o.error + "\"}") + "}";
    }

    private String nonce() {
        String n = UUID.randomUUID().toString().replace("-", "");
        nonces.put(n, Boolean.TRUE);
        return n;
    }

    private void problem(HttpExchange x, int status, String type, String detail) throws IOException {
        send(x, status, "application/problem+json", "{\"type\":\"urn:ietf:params:acme:error:" + type
                + "\",\"detail\":\"" + detail.replace("\"", "'") + "\"}");
    }

    private void send(HttpExchange x, int status, String type, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().add("Content-Type", type);
        x.getResponseHeaders().add("Replay-Nonce", nonce());
        x.sendResponseHeaders(status, b.length);
        x.getResponseBody().write(b);
        x.close();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
