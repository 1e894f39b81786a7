package io.shakengate.proxy;

/** Run in a child JVM by {@link SighupIgnoredTest}: prints whether SIGHUP is ignored and whether a handler went in. */
public final class SighupProbe {
    private SighupProbe() {
    }

    public static void main(String[] args) {
        System.out.println("ignored=" + ProxyMain.sighupIgnored() + " installed=" + ProxyMain.onSighup(() -> { }));
    }
}
