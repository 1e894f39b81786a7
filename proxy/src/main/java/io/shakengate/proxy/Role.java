package io.shakengate.proxy;

/** What a listening point does to the INVITEs it receives before forwarding them. */
public enum Role {
    /** Authentication service: sign calls leaving the network. */
    SIGN,
    /** Verification service: verify calls arriving and mark them with verstat. */
    VERIFY,
    /** Neither: forward as a plain stateless proxy. */
    FORWARD
}
