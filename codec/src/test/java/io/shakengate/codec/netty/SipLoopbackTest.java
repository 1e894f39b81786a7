package io.shakengate.codec.netty;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.CharsetUtil;
import io.shakengate.codec.SipDecoderConfig;
import io.shakengate.codec.SipMessage;
import io.shakengate.codec.testing.SipCorpus;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The decoders on real sockets, on loopback only, bounded in time; everything started is stopped. */
class SipLoopbackTest {
    private static EventLoopGroup group;

    @BeforeAll
    static void start() {
        group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    }

    @AfterAll
    static void stop() throws InterruptedException {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
    }

    /** Collects what it receives as Strings (releasing the messages). */
    private static final class Collector extends SimpleChannelInboundHandler<SipMessage> {
        final BlockingQueue<String> received = new LinkedBlockingQueue<>();

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, SipMessage msg) {
            received.add(msg.toString());
        }
    }

    private static byte[] bigInvite() {
        String invite = new String(SipCorpus.shakenInvite(), StandardCharsets.UTF_8);
        // 5 KB: far beyond Netty's default 2,048-byte datagram receive buffer.
        return invite.replace("Supported: timer, 100rel\r\n", "Supported: timer, 100rel\r\nX-Pad: "
                + "p".repeat(3600) + "\r\n").getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void shouldReceiveA5KilobyteInviteInOneDatagramAndAnswerAMalformedOne() throws Exception {
        Collector collector = new Collector();
        SipDecoderConfig config = SipDecoderConfig.DEFAULT;
        Channel server = new Bootstrap().group(group).channel(NioDatagramChannel.class)
                .handler(new ChannelInitializer<NioDatagramChannel>() {
                    @Override
                    protected void initChannel(NioDatagramChannel ch) {
                        SipDatagramDecoder.configure(ch.config(), config);
                        ch.pipeline().addLast(new SipDatagramDecoder(config, SipDecoderListener.NONE),
                                SipBadRequestResponder.INSTANCE, collector);
                    }
                }).bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
        BlockingQueue<String> answers = new LinkedBlockingQueue<>();
        Channel client = new Bootstrap().group(group).channel(NioDatagramChannel.class)
                .handler(new SimpleChannelInboundHandler<DatagramPacket>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket p) {
                        answers.add(p.content().toString(CharsetUtil.UTF_8));
                    }
                }).bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
        try {
            InetSocketAddress to = (InetSocketAddress) server.localAddress();
            byte[] big = bigInvite();
            client.writeAndFlush(new DatagramPacket(Unpooled.wrappedBuffer(big), to)).sync();
            String got = collector.received.poll(5, TimeUnit.SECONDS);
            assertNotNull(got, "the INVITE did not arrive");
            assertEquals(big.length, got.getBytes(StandardCharsets.UTF_8).length);
            assertEquals(new String(big, StandardCharsets.UTF_8), got);

            client.writeAndFlush(new DatagramPacket(Unpooled.wrappedBuffer(SipCorpus.rfc4475("ncl")), to)).sync();
            String answer = answers.poll(5, TimeUnit.SECONDS);
            assertNotNull(answer, "no answer to a malformed request");
            assertTrue(answer.startsWith("SIP/2.0 400 Bad Request (invalid Content-Length)\r\n"), answer);
        } finally {
            client.close().sync();
            server.close().sync();
        }
    }

    @Test
    void shouldFrameMessagesWrittenInPiecesOnTcp() throws Exception {
        Collector collector = new Collector();
        Channel server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<NioSocketChannel>() {
                    @Override
                    protected void initChannel(NioSocketChannel ch) {
                        ch.pipeline().addLast(new SipStreamDecoder(SipDecoderConfig.DEFAULT, SipDecoderListener.NONE),
                                SipBadRequestResponder.INSTANCE, collector);
                    }
                }).bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
        try (Socket socket = new Socket()) {
            socket.connect(server.localAddress(), 5000);
            socket.setSoTimeout(5000);
            socket.setTcpNoDelay(true);
            OutputStream out = socket.getOutputStream();
            byte[] invite = bigInvite();
            byte[] options = SipCorpus.rfc4475("lwsdisp");
            for (byte[] msg : new byte[][] {invite, options, invite}) {
                for (int i = 0; i < msg.length; i += 700) {
                    out.write(msg, i, Math.min(700, msg.length - i));
                    out.flush();
                }
            }
            assertEquals(new String(invite, StandardCharsets.UTF_8), collector.received.poll(5, TimeUnit.SECONDS));
            assertEquals(new String(options, StandardCharsets.UTF_8), collector.received.poll(5, TimeUnit.SECONDS));
            assertEquals(new String(invite, StandardCharsets.UTF_8), collector.received.poll(5, TimeUnit.SECONDS));
        } finally {
            server.close().sync();
        }
    }

}
