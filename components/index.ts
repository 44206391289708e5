// keyshift's public API.
export * from "./jwks";
export * from "./keys/rotatingKeyPair";
export * from "./passwords/rotatingPassword";
export * from "./passwords/rules";
export * from "./k8s/serviceAccountSigningKeys";
export * from "./k8s/serviceAccountToken";
export * from "./k8s/workloadRestarts";
export * from "./k8s/credentialSecret";
export * from "./aws/oidcIssuer";
export * from "./aws/rdsPassword";
export * from "./aws/elasticacheAuthToken";
export * from "./aws/rules";
export { Ledger, SlotRecord, SlotRoles, RotationError, planRotation, slotRoles, trustedSlotOrder } from "./ring/ring";
export { parseRotationDate, parseInterval } from "./ring/dates";
export { SlotLedger, ledgerProvider } from "./ring/ledger";
export { RotationArgs } from "./ring/slots";
export { verifyToken } from "./cli/verifyToken";
