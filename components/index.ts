// keyshift's public API, a deliberate list: every component with its args and outputs types, the JWKS helpers, and
// the ring types a user reads in outputs. The ledger's provider, the Secret and rule helpers and the default
// constants are internal and may change in any release.

// The ring every component shares.
export { checkRotationArgs } from "./ring/slots";
export type { RotationArgs } from "./ring/slots";
export type { EmergencyRecord, Ledger, Move, Settings, SlotRecord } from "./ring/ring";
export { RotationError } from "./ring/ring";

// Declaring a whole program so that a bad value anywhere changes nothing.
export { declareAll } from "./declareAll";

// Generic rotating credentials.
export { RotatingPassword } from "./passwords/rotatingPassword";
export type { PasswordSlot, RotatingPasswordArgs } from "./passwords/rotatingPassword";
export type { CharacterRules, ServiceConstraints } from "./passwords/rules";
export { RotatingKeyPair } from "./keys/rotatingKeyPair";
export type { KeyAlgorithm, KeySlot, RotatingKeyPairArgs } from "./keys/rotatingKeyPair";

// Kubernetes.
export { ServiceAccountSigningKeys } from "./k8s/serviceAccountSigningKeys";
export type {
    ObjectRef,
    PublicSlot,
    ServiceAccountSigningKeysArgs,
    SigningAlgorithm,
    SigningKeysKubernetesArgs,
} from "./k8s/serviceAccountSigningKeys";
export { ServiceAccountToken } from "./k8s/serviceAccountToken";
export type { ClusterEndpoint, ServiceAccountRef, ServiceAccountTokenArgs } from "./k8s/serviceAccountToken";
export { WorkloadRestarts } from "./k8s/workloadRestarts";
export type { WorkloadRef, WorkloadRestartsArgs } from "./k8s/workloadRestarts";
export type { CredentialSecretArgs } from "./k8s/credentialSecret";
export { CiliumIpsecKeys } from "./k8s/ciliumIpsecKeys";
export type { CiliumIpsecKeysArgs, IpsecKeySlot } from "./k8s/ciliumIpsecKeys";
export { RegistryCredentialSecret, dockerConfigJson } from "./k8s/registryCredentialSecret";
export type { ExternalCredential, RegistryCredentialSecretArgs } from "./k8s/registryCredentialSecret";
export { ENCRYPTION_CONFIG_FILE, EncryptionConfigKeys } from "./k8s/encryptionConfigKeys";
export type { EncryptionConfigKeysArgs, EncryptionKeySlot } from "./k8s/encryptionConfigKeys";
export { ENCRYPTION_PROVIDERS, configHash, renderEncryptionConfig } from "./k8s/encryptionConfig";
export type { EncryptionConfigSpec, EncryptionProvider } from "./k8s/encryptionConfig";

// Certificate authorities and TLS Secrets.
export { CertificateAuthorityKeyset } from "./ca/certificateAuthorityKeyset";
export type {
    CertificateAuthorityKeysetArgs,
    CertificateSlot,
    CertificateSubject,
    LeafCertificateArgs,
} from "./ca/certificateAuthorityKeyset";
export { TlsCertificateSecret } from "./ca/tlsCertificateSecret";
export type { TlsCertificateSecretArgs } from "./ca/tlsCertificateSecret";
export type { CertificateFacts } from "./ca/x509";

// AWS.
export { OidcIssuer, discoveryDocument } from "./aws/oidcIssuer";
export type { OidcIssuerArgs } from "./aws/oidcIssuer";
export { RdsPassword } from "./aws/rdsPassword";
export type { ManagedClusterArgs, ManagedInstanceArgs, RdsConnection, RdsPasswordArgs } from "./aws/rdsPassword";
export { RDS_ENGINES } from "./aws/rules";
export type { RdsEngine } from "./aws/rules";
export { ElasticacheAuthToken } from "./aws/elasticacheAuthToken";
export { IamAccessKeys } from "./aws/iamAccessKeys";
export type { AccessKeySlot, IamAccessKeysArgs } from "./aws/iamAccessKeys";
export type { ElasticacheAuthTokenArgs, ManagedReplicationGroupArgs } from "./aws/elasticacheAuthToken";

// The checks of keyshift's policy pack (policy/), usable in any pack.
export { overdueRotation, writeOnlySecrets } from "./policy/rules";
export type { OverdueConfig, PolicyResource } from "./policy/rules";

// JWKS and the proof that a rotation completed.
export { buildJwks, jwkFromPublicKeyPem, kidFromPublicKeyPem } from "./jwks";
export type { Jwks, PublicJwk } from "./jwks";
export { verifyToken } from "./cli/verifyToken";
export type { VerifyOutcome } from "./cli/verifyToken";
