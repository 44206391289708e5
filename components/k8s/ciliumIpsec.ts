// Cilium's IPsec key format and rotation rules, pure and tested alone. Source: Cilium's "IPsec Transparent
// Encryption" guide (docs.cilium.io/en/stable/security/network/encryption-ipsec/): the `cilium-ipsec-keys` Secret
// holds one line `<key-id>[+] <algorithm> <PSK in hex> <key-size>`; the key id (the SPI) is 1 to 15, increases at
// every re-key and rolls over from 15 to 1 (0 means "none"); `+` selects per-tunnel keys, which the guide strongly
// recommends (global keys were deprecated in 1.16); a rotation to a key of another length is ignored by the agents.

/** The AEAD algorithm the guide uses, and the only one keyshift writes: AES-GCM as RFC 4106 (ESP). */
export const IPSEC_ALGORITHM = "rfc4106(gcm(aes))";

/** RFC 4106 key material: an AES key of 16, 24 or 32 bytes followed by a 4-byte salt. */
export const IPSEC_KEY_BYTES: readonly number[] = [20, 28, 36];

/** RFC 4106 integrity check value lengths, in bits: the line's last field. */
export const IPSEC_ICV_BITS: readonly number[] = [64, 96, 128];

/**
 * The key id (SPI) a slot's key is written with, from the slot's generation: 1 to 15, one more at each generation,
 * rolling over from 15 to 1. A forward rotation's new primary always has a later generation than the key it
 * replaces, at most two later, so the id always changes, and increases modulo the rollover.
 */
export function spiOf(generation: number): number {
    return ((generation - 1) % 15) + 1;
}

/** The Secret's line for one key. */
export function ipsecKeyLine(key: { spi: number; keyHex: string; icvBits: number; perTunnel: boolean }): string {
    return `${key.spi}${key.perTunnel ? "+" : ""} ${IPSEC_ALGORITHM} ${key.keyHex} ${key.icvBits}`;
}
