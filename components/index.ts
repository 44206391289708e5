// keyshift's public API.
export * from "./jwks";
export * from "./keys/rotatingKeyPair";
export * from "./passwords/rotatingPassword";
export * from "./passwords/rules";
export { Ledger, SlotRecord, SlotRoles, RotationError, planRotation, slotRoles, trustedSlotOrder } from "./ring/ring";
export { parseRotationDate, parseInterval } from "./ring/dates";
export { SlotLedger, ledgerProvider } from "./ring/ledger";
export { RotationArgs } from "./ring/slots";
