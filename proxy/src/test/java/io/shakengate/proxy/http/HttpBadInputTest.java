package io.shakengate.proxy.http;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.shakengate.crypto.passport.Attestation;
import io.shakengate.crypto.passport.PassportSigner;
import io.shakengate.crypto.sign.EcdsaProvider;
import io.shakengate.crypto.sign.SignerPool;
import io.shakengate.crypto.sign.SigningKeys;
import io.shakengate.crypto.testing.Vectors;
import io.shakengate.proxy.ServiceConfig;
import io.shakengate.proxy.metrics.ProxyCounters;
import io.shakengate.proxy.transport.Transports;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bad input at the HTTP fronts, over raw sockets so that nothing is smoothed over by a client library:
 * missing and invalid fields, wrong types, hostile Identity values, a body over the limit, a path of a CPS
 * this appliance does not serve, a wrong bearer token, bytes that are not HTTP. Each gets its documented
 * status and messageId, is counted once by route, status and id, and no request goes unanswered or gets a
 * 500.
 */
class HttpBadInputTest {
    static final String TOKEN = "test-token-0123456789";
    static EventLoopGroup group;
    static HttpApiServer server;

    @BeforeAll
    static void start() throws Exception {
        Transports transports = Transports.detect();
        group = new MultiThreadIoEventLoopGroup(1, transports.ioHandlerFactory());
        Path key = Files.createTempFile("ee-good", ".pem");
        Files.write(key, Vectors.bytes("ee-good.key.pem"));
        PassportSigner signer = new PassportSigner(new SignerPool(EcdsaProvider.selected(),
                SigningKeys.readPrivateKey(key)), "https://cert.example.com/sti/1234-good.pem");
        Files.delete(key);
        ServiceConfig services = new ServiceConfig(signer, Attestation.A,
                Vectors.syntheticVerifier(EcdsaProvider.selected(), Vectors.syntheticClock()), 1500);
        server = new HttpApiServer(group, transports, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), null,
                new HttpApiServer.Limits(() -> List.of(TOKEN), 4096, 5), () -> services, null, new ProxyCounters());
    }

    @AfterAll
    static void stop() {
        server.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** The raw answer to {@code request} (the connection closed, or 5 s). */
    static String raw(String request) throws Exception {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.address().getPort())) {
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write(request.getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = s.getInputStream();
            StringBuilder b = new StringBuilder();
            byte[] buf = new byte[8192];
            int n;
            try {
                while ((n = in.read(buf)) > 0) {
                    b.append(new String(buf, 0, n, StandardCharsets.UTF_8));
                    int head = b.indexOf("\r\n\r\n");
                    int len = b.indexOf("content-length: ");
                    if (head > 0 && len > 0) {
                        int end = b.indexOf("\r\n", len);
                        int want = Integer.parseInt(b.substring(len + 16, end).trim());
                        if (b.length() - head - 4 >= want) {
                            break;
                        }
                    }
                }
            } catch (java.net.SocketTimeoutException e) {
                // what came is the answer
            }
            return b.toString();
        }
    }

    static String post(String path, String body, String auth) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return "POST " + path + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                + (auth == null ? "" : "Authorization: Bearer " + auth + "\r\n")
                + "Content-Length: " + bytes.length + "\r\nConnection: close\r\n\r\n" + body;
    }

    record Case(String what, String request, int status, String id, String route) {
    }

    static final String FROM_TO = "\"from\":{\"tn\":\"12155550121\"},\"to\":{\"tn\":[\"12155550131\"]}";

    @Test
    void everyBadRequestHasItsAnswerAndIsCounted() throws Exception {
        String deep = "[".repeat(5000) + "]".repeat(5000);
        List<Case> cases = List.of(
                new Case("no token", post("/stir/v1/signing", "{}", null), 401, "POL4001", "signing"),
                new Case("wrong token", post("/stir/v1/signing", "{}", "not-the-token-0123456"), 401, "POL4001",
                        "signing"),
                new Case("empty body", post("/stir/v1/signing", "", TOKEN), 400, "SVC4000", "signing"),
                new Case("not JSON", post("/stir/v1/signing", "attest=A", TOKEN), 400, "SVC4006", "signing"),
                new Case("deep JSON", post("/stir/v1/verification", deep.substring(0, 2000) + deep.substring(8000),
                        TOKEN), 400, "SVC4006", "verification"),
                new Case("no request object", post("/stir/v1/signing", "{\"x\":1}", TOKEN), 400, "SVC4001", "signing"),
                new Case("attest missing", post("/stir/v1/signing", "{\"signingRequest\":{}}", TOKEN), 400, "SVC4001",
                        "signing"),
                new Case("attest D", post("/stir/v1/signing", "{\"signingRequest\":{\"attest\":\"D\"}}", TOKEN), 400,
                        "SVC4005", "signing"),
                new Case("attest a number", post("/stir/v1/signing", "{\"signingRequest\":{\"attest\":1}}", TOKEN), 400,
                        "SVC4005", "signing"),
                new Case("orig not a number", post("/stir/v1/signing", "{\"signingRequest\":{\"attest\":\"A\","
                        + "\"orig\":{\"tn\":\"abc\"}}}", TOKEN), 400, "SVC4005", "signing"),
                new Case("dest of 17", post("/stir/v1/signing", "{\"signingRequest\":{\"attest\":\"A\",\"orig\":{\"tn\":"
                        + "\"12155550121\"},\"dest\":{\"tn\":[" + "\"12155550131\",".repeat(16) + "\"1\"]}}}", TOKEN), 400,
                        "SVC4005", "signing"),
                new Case("origid not a UUID", post("/stir/v1/signing", "{\"signingRequest\":{\"attest\":\"A\",\"orig\":"
                        + "{\"tn\":\"12155550121\"},\"dest\":{\"tn\":[\"12155550131\"]},\"iat\":1,\"origid\":\"x\"}}",
                        TOKEN), 400, "SVC4005", "signing"),
                new Case("time a string", post("/stir/v1/verification", "{\"verificationRequest\":{" + FROM_TO
                        + ",\"time\":\"now\"}}", TOKEN), 400, "SVC4005", "verification"),
                new Case("identity a number", post("/stir/v1/verification", "{\"verificationRequest\":{" + FROM_TO
                        + ",\"identity\":7}}", TOKEN), 400, "SVC4005", "verification"),
                new Case("nine identities", post("/stir/v1/verification", "{\"verificationRequest\":{" + FROM_TO
                        + ",\"identity\":[" + "\"a.b.c\",".repeat(8) + "\"a.b.c\"]}}", TOKEN), 400, "SVC4005",
                        "verification"),
                new Case("an empty identity list", post("/stir/v1/verification", "{\"verificationRequest\":{"
                        + FROM_TO + ",\"identity\":[]}}", TOKEN), 400, "SVC4005", "verification"),
                // hostile Identity values are verification outcomes (200), not request errors
                new Case("garbage identity", post("/stir/v1/verification", "{\"verificationRequest\":{" + FROM_TO
                        + ",\"identity\":\";;;<>\\u0000\"}}", TOKEN), 200, "", "verification"),
                new Case("alg none identity", post("/stir/v1/verification", "{\"verificationRequest\":{" + FROM_TO
                        + ",\"identity\":\"eyJhbGciOiJub25lIn0.e30.;info=<https://x.example/c.pem>;ppt=shaken\"}}",
                        TOKEN), 200, "", "verification"),
                new Case("body over the limit", post("/stir/v1/signing", "{\"p\":\"" + "x".repeat(5000) + "\"}",
                        TOKEN), 413, "SVC4005", "signing"),
                new Case("no Content-Length", "POST /stir/v1/signing HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                        + TOKEN + "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
                        411, "SVC4007", "signing"),
                new Case("text/plain", post("/stir/v1/signing", "{}", TOKEN).replace("application/json", "text/plain"),
                        415, "SVC4004", "signing"),
                new Case("GET", "GET /stir/v1/signing HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 405,
                        "POL4050", "signing"),
                new Case("a CPS not served here", post("/passports/1234/12155550131/12155550121",
                        "{\"passports\":[]}", null), 404, "SVC4003", "passports"),
                new Case("unknown path", post("/stir/v2/signing", "{}", TOKEN), 404, "SVC4003", "other"));
        for (Case c : cases) {
            String answer = raw(c.request());
            assertTrue(answer.startsWith("HTTP/1.1 " + c.status() + " "), c.what() + ": " + answer);
            if (!c.id().isEmpty()) {
                assertTrue(answer.contains("\"messageId\":\"" + c.id() + "\""), c.what() + ": " + answer);
            } else {
                assertTrue(answer.contains("\"verificationResponse\":{\"reasoncode\":4"), c.what() + ": " + answer);
            }
        }
        // bytes that are not HTTP: answered 400 or closed, never a hang
        String junk = raw("\u0000\u0001GARBAGE\r\n\r\n");
        assertTrue(junk.isEmpty() || junk.startsWith("HTTP/1.1 400 "), junk);
        ApiCounters counted = server.answers();
        for (Case c : cases) {
            assertTrue(counted.get(c.route(), c.status()) > 0, c.what() + " counted: " + counted.metrics());
        }
        assertEquals(0, counted.get("signing", 500) + counted.get("verification", 500), counted.metrics());
        assertEquals(2, counted.withId("POL4001"), counted.metrics());
        assertEquals(1, counted.withId("SVC4007"), counted.metrics());
        assertTrue(counted.metrics().contains(
                "shakengate_api_requests_total{route=\"signing\",status=\"401\",id=\"POL4001\"} 2"), counted.metrics());
    }
}
