package io.shakengate.crypto.passport;

/** SHAKEN attestation levels (ATIS-1000074): full, partial, gateway. */
public enum Attestation {
    /** Full: the signer knows the customer and that they may use the calling number. */
    A,
    /** Partial: the signer knows the customer but not their right to the number. */
    B,
    /** Gateway: the signer only knows where the call entered its network. */
    C
}
