package io.shakengate.proxy.stir;

/** When the verification service looks a call up in the Call Placement Service(s). */
public enum Retrieval {
    /** Never. */
    OFF,
    /** When the call carries no SHAKEN Identity header (it crossed TDM). */
    WHEN_NO_IDENTITY,
    /** Always; an in-band PASSporT that passes still wins. */
    ALWAYS
}
