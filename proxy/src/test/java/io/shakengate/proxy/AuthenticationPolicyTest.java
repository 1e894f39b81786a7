package io.shakengate.proxy;

import io.shakengate.proxy.stir.AuthenticationPolicy;
import io.shakengate.proxy.stir.VerificationPolicy;
import io.shakengate.proxy.stir.NumberList;

import io.shakengate.codec.SipDecoderConfig;
import io.shakengate.crypto.passport.Attestation;
import io.shakengate.crypto.passport.PassportSigner;
import io.shakengate.crypto.sign.EcdsaProvider;
import io.shakengate.crypto.sign.SignerPool;
import io.shakengate.crypto.testing.TestPki;
import io.shakengate.proxy.stir.AuthenticationPolicy.Action;
import io.shakengate.proxy.stir.AuthenticationPolicy.Rule;
import io.shakengate.proxy.transport.Transports;
import org.junit.jupiter.api.Test;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AuthenticationPolicyTest {
    private static final AuthenticationPolicy POLICY = new AuthenticationPolicy(List.of(
            new Rule("premium-block", null, List.of(), List.of("1900"), Action.BLOCK),
            new Rule("toll-free-no-sign", null, List.of("1800"), List.of(), Action.NO_SIGN),
            new Rule("own-customers", "127.0.0.0/8", List.of("1215", "1267"), List.of(), Action.ATTEST_A),
            new Rule("other-net", "10.0.0.0/8", List.of(), List.of(), Action.ATTEST_B)), Action.ATTEST_C);

    @Test
    void firstMatchingRuleDecides() throws Exception {
        InetAddress lo = InetAddress.getByName("127.0.0.1");
        InetAddress ten = InetAddress.getByName("10.1.2.3");
        assertEquals(Action.ATTEST_A, POLICY.decide(lo, "12155550121", "12155550131"));
        assertEquals(Action.ATTEST_C, POLICY.decide(lo, "13125550100", "12155550131"), "no rule: default");
        assertEquals(Action.ATTEST_B, POLICY.decide(ten, "12155550121", "12155550131"));
        assertEquals(Action.NO_SIGN, POLICY.decide(lo, "18005550100", "12155550131"));
        assertEquals(Action.BLOCK, POLICY.decide(lo, "12155550121", "19005550100"), "first rule wins");
        assertEquals(Action.ATTEST_C, POLICY.decide(null, null, null));
        assertTrue(AuthenticationPolicy.inPrefix(InetAddress.getByName("2001:db8::7"), "2001:db8::/32"));
        assertFalse(AuthenticationPolicy.inPrefix(InetAddress.getByName("2001:db9::7"), "2001:db8::/32"));
        assertFalse(AuthenticationPolicy.inPrefix(lo, "2001:db8::/32"));
        assertThrows(IllegalArgumentException.class, () -> new Rule("x", "example.com/8", List.of(), List.of(),
                Action.NO_SIGN));
        assertThrows(IllegalArgumentException.class, () -> new Rule("x", "10.0.0.0/40", List.of(), List.of(),
                Action.NO_SIGN));
    }

    @Test
    void theSignPointAppliesThePolicy() throws Exception {
        TestPki pki = new TestPki(System.currentTimeMillis());
        PassportSigner signer = new PassportSigner(new SignerPool(EcdsaProvider.selected(),
                pki.endEntity(TestPki.Flaw.NONE).keys().getPrivate()), "https://cert.shakengate.test/sti/1234.pem");
        InetAddress lo = InetAddress.getLoopbackAddress();
        try (DatagramSocket next = new DatagramSocket(0, lo); DatagramSocket caller = new DatagramSocket(0, lo);
             ProxyServer server = new ProxyServer(Transports.detect(), 1, SipDecoderConfig.DEFAULT)) {
            next.setSoTimeout(3000);
            caller.setSoTimeout(3000);
            InetSocketAddress point = server.bind(new ListeningPoint("sign", new InetSocketAddress(lo, 0), null,
                    Role.SIGN, (InetSocketAddress) next.getLocalSocketAddress()),
                    new ServiceConfig(signer, Attestation.C, null, 1500, VerificationPolicy.defaults(), POLICY));
            assertEquals("A", LoopbackSip.attest(send(caller, point, "12155550121", "12155550131", next)));
            assertEquals("C", LoopbackSip.attest(send(caller, point, "13125550100", "12155550131", next)));
            assertFalse(send(caller, point, "18005550100", "12155550131", next).contains("\r\nIdentity:"));
            send(caller, point, "12155550121", "19005550100", null);
            byte[] buf = new byte[65535];
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            caller.receive(p);
            assertTrue(new String(buf, 0, p.getLength(), StandardCharsets.US_ASCII).startsWith("SIP/2.0 603 Decline"));
        }
    }

    private static String send(DatagramSocket caller, InetSocketAddress to, String from, String dest,
                               DatagramSocket next) throws Exception {
        LoopbackSip.send(caller, to, LoopbackSip.invite(caller.getLocalPort(), from + "-" + dest, from, dest, null));
        return next == null ? null : LoopbackSip.receive(next);
    }

    @Test
    void numberListsFromFiles(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path file = java.nio.file.Files.writeString(dir.resolve("dids.txt"), String.join("\n",
                "# customer A", "+1215555", "12675550000-12675550999   # a block", "12675550500-12675551500",
                "", "13125550100", ""));
        NumberList list = NumberList.read(file);
        assertEquals(3, list.size(), list.toString()); // the two overlapping blocks merge
        assertTrue(list.contains("12155550001"));
        assertTrue(list.contains("12675550000"));
        assertTrue(list.contains("12675551500"));
        assertTrue(list.contains("12675550999"));
        assertFalse(list.contains("12675551501"));
        assertFalse(list.contains("1267555000"), "another length is not in the range");
        assertTrue(list.contains("13125550100"));
        assertFalse(list.contains("13125550101"));
        assertFalse(list.contains(null));
        java.nio.file.Files.writeString(file, "1215\n12-x\n");
        java.io.IOException e = assertThrows(java.io.IOException.class, () -> NumberList.read(file));
        assertTrue(e.getMessage().contains("line 2"), e.getMessage());
        java.nio.file.Files.writeString(file, "1215\n\n1300-1200\n");
        e = assertThrows(java.io.IOException.class, () -> NumberList.read(file));
        assertTrue(e.getMessage().contains("line 3"), e.getMessage());
        // a million numbers in 1000 ranges and 1000 prefixes
        StringBuilder big = new StringBuilder();
        for (int i = 0; i < 1000; i++) {
            big.append(String.format("1%03d5550000-1%03d5550999%n", i, i)).append(String.format("44%04d%n", i));
        }
        java.nio.file.Files.writeString(file, big);
        NumberList many = NumberList.read(file);
        assertEquals(2000, many.size());
        assertTrue(many.contains("17775550123"));
        assertFalse(many.contains("17775551000"));
        assertTrue(many.contains("440999123456"));
    }

    @Test
    void trunksListsAndTrustedHeadersThroughASignPoint(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path key = java.nio.file.Files.writeString(dir.resolve("k.pem"),
                io.shakengate.crypto.x509.CertificateRequests.privateKeyPem(
                        io.shakengate.crypto.x509.CertificateRequests.newKeyPair()));
        java.nio.file.Path dids = java.nio.file.Files.writeString(dir.resolve("dids.txt"), "13125550000-13125550999\n");
        InetAddress lo = InetAddress.getLoopbackAddress();
        try (DatagramSocket next = new DatagramSocket(0, lo); DatagramSocket caller = new DatagramSocket(0, lo)) {
            next.setSoTimeout(3000);
            String yaml = String.join("\n",
                    "signing:",
                    "  key: " + key,
                    "  x5u: https://certs.example.net/sti/1234.pem",
                    "  attestation: C",
                    "  trunkHeader: X-Trunk",
                    "  rules:",
                    "    - { name: pbx, trunk: pbx-7, action: attest-b }",
                    "    - { name: dids, callingList: " + dids + ", action: attest-a }",
                    "    - { name: sbc, source: 127.0.0.0/8, calledPrefixes: [\"1415\"], action: attest-c, fromHeaders: true }",
                    "listeningPoints:",
                    "  - { name: out, listen: \"127.0.0.1:0\", role: sign, nextHop: \"127.0.0.1:" + next.getLocalPort() + "\" }",
                    "");
            try (Appliance a = Appliance.start(io.shakengate.proxy.config.ApplianceConfig.parse(yaml, "t.yaml"))) {
                InetSocketAddress point = a.bound().get(0);
                String plain = LoopbackSip.invite(caller.getLocalPort(), "t1", "19995550100", "12155550131", null);
                // trunk by header, then by the Request-URI's tgrp (RFC 4904)
                LoopbackSip.send(caller, point, plain.replace("CSeq: 1 INVITE\r\n", "CSeq: 1 INVITE\r\nX-Trunk: pbx-7\r\n"));
                assertEquals("B", LoopbackSip.attest(LoopbackSip.receive(next)));
                LoopbackSip.send(caller, point, plain.replace("t1", "t2").replace("INVITE sip:+12155550131@",
                        "INVITE sip:+12155550131;tgrp=pbx-7;trunk-context=example.net@"));
                assertEquals("B", LoopbackSip.attest(LoopbackSip.receive(next)));
                // the number list
                LoopbackSip.send(caller, point, LoopbackSip.invite(caller.getLocalPort(), "t3", "13125550500",
                        "12155550131", null));
                assertEquals("A", LoopbackSip.attest(LoopbackSip.receive(next)));
                // headers trusted by the sbc rule: Attestation-Info and Origination-Id
                String sbc = LoopbackSip.invite(caller.getLocalPort(), "t4", "19995550100", "14155550131", null)
                        .replace("CSeq: 1 INVITE\r\n", "CSeq: 1 INVITE\r\nAttestation-Info: A\r\n"
                                + "Origination-Id: 5e1f2a3b-4c5d-4e7f-8091-a2b3c4d5e6f7\r\n");
                LoopbackSip.send(caller, point, sbc);
                String got = LoopbackSip.receive(next);
                assertEquals("A", LoopbackSip.attest(got));
                String claims = LoopbackSip.claims(got);
                assertTrue(claims.contains("\"origid\":\"5e1f2a3b-4c5d-4e7f-8091-a2b3c4d5e6f7\""), claims);
                // the same headers where no rule trusts them: ignored (default C)
                LoopbackSip.send(caller, point, sbc.replace("t4", "t5").replace("+14155550131", "+16505550131"));
                got = LoopbackSip.receive(next);
                assertEquals("C", LoopbackSip.attest(got));
                claims = LoopbackSip.claims(got);
                assertTrue(claims.contains("\"origid\":") && !claims.contains("5e1f2a3b"), claims);
            }
        }
    }

    @Test
    void theCalledNumberFromTheRequestUriWhenConfigured(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path key = java.nio.file.Files.writeString(dir.resolve("k.pem"),
                io.shakengate.crypto.x509.CertificateRequests.privateKeyPem(
                        io.shakengate.crypto.x509.CertificateRequests.newKeyPair()));
        InetAddress lo = InetAddress.getLoopbackAddress();
        for (String from : new String[] {"request-uri", "to"}) {
            try (DatagramSocket next = new DatagramSocket(0, lo); DatagramSocket caller = new DatagramSocket(0, lo)) {
                next.setSoTimeout(3000);
                String yaml = String.join("\n",
                        "signing:",
                        "  key: " + key,
                        "  x5u: https://certs.example.net/sti/1234.pem",
                        "  attestation: C",
                        "  calledNumber: " + from,
                        "  rules: [ { calledPrefixes: [\"1415\"], action: attest-b } ]",
                        "listeningPoints:",
                        "  - { name: out, listen: \"127.0.0.1:0\", role: sign, nextHop: \"127.0.0.1:" + next.getLocalPort() + "\" }",
                        "");
                try (Appliance a = Appliance.start(io.shakengate.proxy.config.ApplianceConfig.parse(yaml, "t.yaml"))) {
                    // retargeted: the Request-URI names +14155550100, To still the dialled +12155550131
                    LoopbackSip.send(caller, a.bound().get(0), LoopbackSip.invite(caller.getLocalPort(), "ruri-" + from,
                            "12155550121", "12155550131", null).replace("INVITE sip:+12155550131@",
                            "INVITE sip:+14155550100@"));
                    String got = LoopbackSip.receive(next);
                    String claims = LoopbackSip.claims(got);
                    if (from.equals("request-uri")) {
                        assertEquals("B", LoopbackSip.attest(got), "the rule on the Request-URI's number");
                        assertTrue(claims.contains("\"dest\":{\"tn\":[\"14155550100\"]}"), claims);
                    } else {
                        assertEquals("C", LoopbackSip.attest(got));
                        assertTrue(claims.contains("\"dest\":{\"tn\":[\"12155550131\"]}"), claims);
                    }
                }
            }
        }
    }
}
