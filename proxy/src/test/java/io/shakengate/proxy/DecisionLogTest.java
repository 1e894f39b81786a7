package io.shakengate.proxy;

import com.nimbusds.jose.util.JSONObjectUtils;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import io.shakengate.codec.SipDecoderConfig;
import io.shakengate.codec.netty.SipBadRequestResponder;
import io.shakengate.codec.netty.SipDatagramDecoder;
import io.shakengate.codec.netty.SipDecoderListener;
import io.shakengate.crypto.VerificationFailure;
import io.shakengate.crypto.passport.Attestation;
import io.shakengate.crypto.sign.EcdsaProvider;
import io.shakengate.crypto.testing.Vectors;
import io.shakengate.proxy.journal.DecisionLog;
import io.shakengate.proxy.metrics.ProxyCounters;
import io.shakengate.proxy.metrics.StageLatency;
import io.shakengate.proxy.stir.VerificationPolicy;
import io.shakengate.proxy.transport.UdpSender;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The decision log: every synthetic case of the standards digest's manifest through a verify point leaves one
 * JSON line with its Call-ID, outcome class, reason and verstat; a failing one's reason is the label that
 * {@code shakengate_verification_failures_total} bumped; every outcome class appears; passed calls are left out by default;
 * lines over the rate are dropped and counted.
 */
class DecisionLogTest {
    private static final InetSocketAddress UAC = new InetSocketAddress("127.0.0.1", 5070);
    private static final InetSocketAddress POINT = new InetSocketAddress("127.0.0.1", 5064);
    private static final InetSocketAddress UAS = new InetSocketAddress("127.0.0.1", 5080);
    private static final Pattern CALL_ID = Pattern.compile("\r\nCall-ID: *([^\r\n]+)\r\n", Pattern.CASE_INSENSITIVE);

    private static void through(byte[] invite, ServiceConfig services, ProxyCounters counts) {
        ListeningPoint p = new ListeningPoint("in", POINT, "127.0.0.1:5064", Role.VERIFY, UAS, false);
        EmbeddedChannel ch = new EmbeddedChannel(new SipDatagramDecoder(SipDecoderConfig.DEFAULT,
                SipDecoderListener.NONE), SipBadRequestResponder.INSTANCE,
                new SipProxyHandler(p, () -> services, counts, new StageLatency(), UdpSender.INSTANCE));
        try {
            ch.writeInbound(new DatagramPacket(Unpooled.wrappedBuffer(invite), POINT, UAC));
            ch.runPendingTasks();
        } finally {
            ch.finishAndReleaseAll();
        }
    }

    private static ServiceConfig services(DecisionLog log) {
        ServiceConfig base = new ServiceConfig(null, Attestation.A, Vectors.syntheticVerifier(EcdsaProvider.selected(),
                Vectors.syntheticClock()), 1500, VerificationPolicy.defaults());
        return new ServiceConfig(base.authentication(), base.verification().withDecisions(log), Map.of());
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyCaseLeavesItsLineWithCallIdAndReason() throws Exception {
        List<String> lines = new CopyOnWriteArrayList<>();
        ServiceConfig services = services(new DecisionLog(new DecisionLog.Settings(DecisionLog.Lines.ALL, 100_000),
                lines::add));
        Set<VerificationPolicy.OutcomeClass> seen = EnumSet.noneOf(VerificationPolicy.OutcomeClass.class);
        int cases = 0;
        for (Map<String, Object> c : (List<Map<String, Object>>) (List<?>) Vectors.syntheticManifest().get("cases")) {
            byte[] invite = Vectors.bytes("synthetic/" + c.get("sip"));
            Matcher m = CALL_ID.matcher(new String(invite, StandardCharsets.US_ASCII));
            assertTrue(m.find(), c.get("id") + ": a Call-ID");
            String callId = m.group(1).trim();
            ProxyCounters counts = new ProxyCounters();
            lines.clear();
            through(invite, services, counts);
            assertEquals(1, lines.size(), c.get("id") + ": one line: " + lines);
            Map<String, Object> line = JSONObjectUtils.parse(lines.get(0));
            assertEquals(callId, line.get("callId"), lines.get(0));
            assertEquals("in", line.get("point"));
            VerificationPolicy.OutcomeClass outcome = VerificationPolicy.OutcomeClass.valueOf(
                    ((String) line.get("outcome")).toUpperCase(java.util.Locale.ROOT).replace('-', '_'));
            seen.add(outcome);
            String reason = (String) line.get("reason");
            if (outcome == VerificationPolicy.OutcomeClass.PASSED) {
                assertEquals(null, reason);
                assertEquals(VerificationFailure.VERSTAT_PASSED, line.get("verstat"));
            } else {
                assertTrue(reason != null, lines.get(0));
                VerificationFailure f = VerificationFailure.valueOf(reason.toUpperCase(java.util.Locale.ROOT));
                assertEquals(f.sipStatus(), ((Number) line.get("code")).intValue());
                assertEquals(1, counts.failedCalls(f),
                        c.get("id") + ": shakengate_verification_failures_total{reason=\"" + reason + "\"} bumped");
                assertTrue(io.shakengate.proxy.metrics.MetricsServer.render(counts,
                        new io.shakengate.codec.netty.SipParseErrorCounters(), new StageLatency())
                        .contains("shakengate_verification_failures_total{reason=\"" + reason + "\"} 1\n"));
                assertTrue(!VerificationFailure.VERSTAT_PASSED.equals(line.get("verstat")), lines.get(0));
            }
            cases++;
        }
        assertTrue(cases > 20, "cases: " + cases);
        assertEquals(EnumSet.allOf(VerificationPolicy.OutcomeClass.class), seen, "every outcome class has its lines");
    }

    @Test
    void passedCallsAreLeftOutByDefaultAndTheRateIsKept() throws Exception {
        List<String> lines = new ArrayList<>();
        ServiceConfig services = services(new DecisionLog(new DecisionLog.Settings(DecisionLog.Lines.FAILURES, 3),
                lines::add));
        byte[] good = null;
        byte[] bad = null;
        for (Object o : (List<?>) Vectors.syntheticManifest().get("cases")) {
            Map<?, ?> c = (Map<?, ?>) o;
            Map<?, ?> expect = (Map<?, ?>) c.get("expect");
            if (good == null && VerificationFailure.VERSTAT_PASSED.equals(expect.get("verstat"))) {
                good = Vectors.bytes("synthetic/" + c.get("sip"));
            } else if (bad == null && VerificationFailure.VERSTAT_FAILED.equals(expect.get("verstat"))) {
                bad = Vectors.bytes("synthetic/" + c.get("sip"));
            }
        }
        ProxyCounters counts = new ProxyCounters();
        through(good, services, counts);
        assertEquals(List.of(), lines, "a passed call has no line by default");
        long intoSecond = System.currentTimeMillis() % 1000;
        if (intoSecond > 500) {
            Thread.sleep(1020 - intoSecond); // the five calls below within one second, not across two
        }
        for (int i = 0; i < 5; i++) {
            through(bad, services, counts);
        }
        assertTrue(lines.size() <= 3 && lines.size() >= 1, "at most 3 a second: " + lines.size());
        assertEquals(5 - lines.size(), counts.get(ProxyCounters.Event.DECISION_LINES_DROPPED));
    }
}
