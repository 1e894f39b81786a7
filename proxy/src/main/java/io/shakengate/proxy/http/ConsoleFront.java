package io.shakengate.proxy.http;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.cookie.Cookie;
import io.netty.handler.codec.http.cookie.ServerCookieDecoder;
import io.netty.handler.codec.http.multipart.Attribute;
import io.netty.handler.codec.http.multipart.DefaultHttpDataFactory;
import io.netty.handler.codec.http.multipart.FileUpload;
import io.netty.handler.codec.http.multipart.HttpPostRequestDecoder;
import io.netty.handler.codec.http.multipart.InterfaceHttpData;
import io.shakengate.proxy.console.Console;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Translates between Netty's HTTP messages and the console's {@link Console.Request} and
 * {@link Console.Response}: the query, the form (urlencoded or multipart, read in memory: the body is bounded
 * by {@code console.maxUploadBytes} before it is read), the uploaded files and the session cookie. Decides
 * nothing.
 */
final class ConsoleFront {
    private ConsoleFront() {
    }

    /** The console request of {@code req}, or null when its form cannot be decoded. */
    static Console.Request read(FullHttpRequest req, InetSocketAddress from) {
        QueryStringDecoder q = new QueryStringDecoder(req.uri(), StandardCharsets.UTF_8);
        Map<String, String> query = first(q.parameters());
        Map<String, String> form = new LinkedHashMap<>();
        Map<String, byte[]> files = new LinkedHashMap<>();
        if (req.method() == HttpMethod.POST && req.content().isReadable()) {
            HttpPostRequestDecoder d = null;
            try {
                d = new HttpPostRequestDecoder(new DefaultHttpDataFactory(false), req, StandardCharsets.UTF_8);
                for (InterfaceHttpData data : d.getBodyHttpDatas()) {
                    if (data instanceof FileUpload f) {
                        files.put(f.getName(), f.get());
                    } else if (data instanceof Attribute a) {
                        form.putIfAbsent(a.getName(), a.getValue());
                    }
                }
            } catch (HttpPostRequestDecoder.ErrorDataDecoderException | IOException | IllegalArgumentException e) {
                return null;
            } finally {
                if (d != null) {
                    d.destroy();
                }
            }
        }
        String session = null;
        String cookies = req.headers().get(HttpHeaderNames.COOKIE);
        if (cookies != null) {
            for (Cookie c : ServerCookieDecoder.STRICT.decode(cookies)) {
                if (c.name().equals(Console.COOKIE)) {
                    session = c.value();
                }
            }
        }
        return new Console.Request(req.method().name(), q.path(), query, form, files, session,
                from.getAddress().getHostAddress());
    }

    /** The HTTP response of {@code r}. */
    static FullHttpResponse write(Console.Response r) {
        FullHttpResponse resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(r.status()),
                Unpooled.wrappedBuffer(r.body()));
        resp.headers().set(HttpHeaderNames.CONTENT_TYPE, r.type());
        resp.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, r.body().length);
        for (Map.Entry<String, String> h : r.headers().entrySet()) {
            resp.headers().set(h.getKey(), h.getValue());
        }
        return resp;
    }

    /** A refusal of the console's own (a plain page with the security headers). */
    static FullHttpResponse refusal(int status, String text) {
        String html = "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Refused</title></head>"
                + "<body><p id=\"message\">" + text.replace("&", "&amp;").replace("<", "&lt;") + "</p></body></html>";
        Map<String, String> h = new LinkedHashMap<>(Console.HEADERS);
        return write(new Console.Response(status, "text/html; charset=utf-8", html.getBytes(StandardCharsets.UTF_8), h));
    }

    private static Map<String, String> first(Map<String, List<String>> params) {
        Map<String, String> out = new LinkedHashMap<>();
        params.forEach((k, v) -> {
            if (!v.isEmpty()) {
                out.put(k, v.get(0));
            }
        });
        return out;
    }
}
