// A throw-away Kubernetes control plane for tests: etcd, kube-apiserver and (when asked) kube-controller-manager with
// only its token controller, on 127.0.0.1 with free ports, a fresh CA and the service-account signer flags taken from
// keyshift's outputs. Binaries come from a `kube-apiserver` on PATH, else ../shared/kube/install.sh.

import { ChildProcess, execFileSync, spawn } from "child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "fs";
import * as https from "https";
import * as net from "net";
import { tmpdir } from "os";
import * as path from "path";

const REPO = path.resolve(__dirname, "../..");
const ADMIN_TOKEN = "keyshift-test-admin-token";

/** The folder holding etcd, kube-apiserver and kube-controller-manager, or a one-line reason there is none. */
export function kubeBinaries(): string {
    const onPath = (() => {
        try {
            return path.dirname(execFileSync("bash", ["-c", "command -v kube-apiserver"], { encoding: "utf8" }).trim());
        } catch {
            return undefined;
        }
    })();
    if (onPath && existsSync(path.join(onPath, "etcd"))) {
        return onPath;
    }
    const installer = path.join(REPO, "..", "shared", "kube", "install.sh");
    if (!existsSync(installer)) {
        throw new Error(
            "no Kubernetes test binaries: put kube-apiserver, kube-controller-manager and etcd on PATH, or ../shared/kube beside the repository",
        );
    }
    return execFileSync("bash", [installer], { encoding: "utf8" }).trim();
}

async function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const server = net.createServer();
        server.listen(0, "127.0.0.1", () => {
            const port = (server.address() as net.AddressInfo).port;
            server.close(() => resolve(port));
        });
        server.on("error", reject);
    });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The signer the API server is started with: keyshift's primary private key and every trusted public key. */
export interface SignerFiles {
    signingKeyPem: string;
    trustedPublicKeys: string[];
}

/** Certificates for the API server from keyshift: a client-CA bundle, and a serving pair with what verifies it. */
export interface TlsFiles {
    clientCaBundle?: string;
    serving?: { certPem: string; keyPem: string; caPem: string };
}

export interface HttpResult {
    status: number;
    body: any;
}

export class TestCluster {
    readonly dir = mkdtempSync(path.join(tmpdir(), "keyshift-kube-"));
    readonly caPem: string;
    /** What verifies the API server's serving certificate: the test CA, or the bundle given with keyshift's. */
    serverCaPem: string;
    server = "";
    private etcd?: ChildProcess;
    private apiserver?: ChildProcess;
    private controllerManager?: ChildProcess;
    private ports = { etcdClient: 0, etcdPeer: 0, api: 0 };
    private readonly logs: string[] = [];

    /** The last lines the control plane printed, for a failing test's message. */
    logTail(lines = 20): string {
        return this.logs.slice(-lines).join("");
    }

    private constructor(
        private readonly bin: string,
        private readonly withTokenController: boolean,
        private encryptionConfig: string | undefined,
    ) {
        const openssl = (...args: string[]) =>
            execFileSync("openssl", args, { cwd: this.dir, stdio: ["ignore", "ignore", "pipe"] });
        openssl(
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=keyshift-test-ca",
            "-keyout",
            "ca.key",
            "-out",
            "ca.crt",
        );
        openssl(
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-subj",
            "/CN=kube-apiserver",
            "-keyout",
            "serving.key",
            "-out",
            "serving.csr",
        );
        writeFileSync(path.join(this.dir, "san.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
        openssl(
            "x509",
            "-req",
            "-in",
            "serving.csr",
            "-CA",
            "ca.crt",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-days",
            "1",
            "-extfile",
            "san.ext",
            "-out",
            "serving.crt",
        );
        this.caPem = execFileSync("cat", [path.join(this.dir, "ca.crt")], { encoding: "utf8" });
        this.serverCaPem = this.caPem;
        writeFileSync(path.join(this.dir, "tokens.csv"), `${ADMIN_TOKEN},admin,admin-uid,"system:masters"\n`);
    }

    /**
     * Starts etcd and the API server (and the token controller when asked) with `signer`, and with `encryptionConfig`
     * (an EncryptionConfiguration's YAML) as its `--encryption-provider-config` when given.
     */
    static async start(
        signer: SignerFiles,
        options: { tokenController?: boolean; encryptionConfig?: string } & TlsFiles = {},
    ): Promise<TestCluster> {
        const cluster = new TestCluster(kubeBinaries(), options.tokenController ?? false, options.encryptionConfig);
        cluster.useTls(options);
        try {
            cluster.ports = { etcdClient: await freePort(), etcdPeer: await freePort(), api: await freePort() };
            cluster.server = `https://127.0.0.1:${cluster.ports.api}`;
            await cluster.startEtcd();
            await cluster.startControlPlane(signer);
        } catch (error) {
            await cluster.stop();
            throw error;
        }
        return cluster;
    }

    /** The issuer the API server uses, and the JWKS URL it advertises: keyshift's keys.json under the issuer. */
    get issuer(): string {
        return this.server;
    }

    get caData(): string {
        return Buffer.from(this.serverCaPem).toString("base64");
    }

    /** A kubeconfig with the admin token, for the Pulumi Kubernetes provider. */
    adminKubeconfig(): string {
        return JSON.stringify({
            apiVersion: "v1",
            kind: "Config",
            clusters: [{ name: "test", cluster: { server: this.server, "certificate-authority-data": this.caData } }],
            users: [{ name: "admin", user: { token: ADMIN_TOKEN } }],
            contexts: [{ name: "admin@test", context: { cluster: "test", user: "admin" } }],
            "current-context": "admin@test",
        });
    }

    private spawnLogged(name: string, args: string[]): ChildProcess {
        const child = spawn(path.join(this.bin, name), args, { cwd: this.dir, stdio: ["ignore", "pipe", "pipe"] });
        const keep = (chunk: Buffer) => {
            this.logs.push(`[${name}] ${chunk.toString()}`);
            if (this.logs.length > 200) this.logs.shift();
        };
        child.stdout?.on("data", keep);
        child.stderr?.on("data", keep);
        return child;
    }

    private async waitFor(
        what: string,
        check: () => Promise<boolean>,
        child: ChildProcess,
        seconds = 60,
    ): Promise<void> {
        const deadline = Date.now() + seconds * 1000;
        while (Date.now() < deadline) {
            if (child.exitCode !== null) {
                throw new Error(
                    `${what} exited with ${child.exitCode}: ${this.logs.slice(-5).join(" ").slice(0, 2000)}`,
                );
            }
            if (await check().catch(() => false)) return;
            await sleep(200);
        }
        throw new Error(`${what} not ready after ${seconds}s: ${this.logs.slice(-5).join(" ").slice(0, 2000)}`);
    }

    private async startEtcd(): Promise<void> {
        const { etcdClient, etcdPeer } = this.ports;
        this.etcd = this.spawnLogged("etcd", [
            "--name",
            "t",
            "--data-dir",
            path.join(this.dir, "etcd-data"),
            "--listen-client-urls",
            `http://127.0.0.1:${etcdClient}`,
            "--advertise-client-urls",
            `http://127.0.0.1:${etcdClient}`,
            "--listen-peer-urls",
            `http://127.0.0.1:${etcdPeer}`,
            "--initial-advertise-peer-urls",
            `http://127.0.0.1:${etcdPeer}`,
            "--initial-cluster",
            `t=http://127.0.0.1:${etcdPeer}`,
            "--unsafe-no-fsync",
            "--log-level",
            "warn",
        ]);
        await this.waitFor("etcd", async () => (await fetch(`http://127.0.0.1:${etcdClient}/health`)).ok, this.etcd);
    }

    private writeSigner(signer: SignerFiles): string[] {
        writeFileSync(path.join(this.dir, "sa.key"), signer.signingKeyPem, { mode: 0o600 });
        return signer.trustedPublicKeys.map((pem, index) => {
            const file = `trusted-${index}.pub`;
            writeFileSync(path.join(this.dir, file), pem);
            return `--service-account-key-file=${file}`;
        });
    }

    private async startControlPlane(signer: SignerFiles): Promise<void> {
        const keyFiles = this.writeSigner(signer);
        const encryption: string[] = [];
        if (this.encryptionConfig !== undefined) {
            writeFileSync(path.join(this.dir, "encryption.yaml"), this.encryptionConfig, { mode: 0o600 });
            encryption.push("--encryption-provider-config=encryption.yaml");
        }
        this.apiserver = this.spawnLogged("kube-apiserver", [
            `--etcd-servers=http://127.0.0.1:${this.ports.etcdClient}`,
            "--bind-address=127.0.0.1",
            "--advertise-address=127.0.0.1",
            `--secure-port=${this.ports.api}`,
            "--tls-cert-file=serving.crt",
            "--tls-private-key-file=serving.key",
            `--client-ca-file=${existsSync(path.join(this.dir, "client-ca.crt")) ? "client-ca.crt" : "ca.crt"}`,
            "--service-cluster-ip-range=10.0.0.0/24",
            "--endpoint-reconciler-type=none",
            `--service-account-issuer=${this.issuer}`,
            // Discovery points verifiers at the keys.json keyshift publishes, as a cluster with an S3 issuer does.
            `--service-account-jwks-uri=${this.issuer}/keys.json`,
            "--service-account-signing-key-file=sa.key",
            ...keyFiles,
            "--token-auth-file=tokens.csv",
            "--authorization-mode=RBAC",
            "--profiling=false",
            ...encryption,
        ]);
        await this.waitFor(
            "kube-apiserver",
            async () => (await this.request("GET", "/readyz")).status === 200,
            this.apiserver,
        );
        if (this.withTokenController) {
            writeFileSync(path.join(this.dir, "kcm.kubeconfig"), this.adminKubeconfig());
            this.controllerManager = this.spawnLogged("kube-controller-manager", [
                "--kubeconfig=kcm.kubeconfig",
                // The garbage collector finishes the foreground deletions the Pulumi Kubernetes provider asks for.
                "--controllers=serviceaccount-token-controller,garbage-collector-controller",
                "--service-account-private-key-file=sa.key",
                "--root-ca-file=ca.crt",
                "--leader-elect=false",
                "--secure-port=0",
                "--use-service-account-credentials=false",
            ]);
        }
    }

    /**
     * Restarts the API server (and token controller) with a new signer, and a new encryption config when given; etcd
     * and its data stay.
     */
    async restart(signer: SignerFiles, options: { encryptionConfig?: string } & TlsFiles = {}): Promise<void> {
        await Promise.all([stopProcess(this.controllerManager), stopProcess(this.apiserver)]);
        this.encryptionConfig = options.encryptionConfig ?? this.encryptionConfig;
        this.useTls(options);
        await this.startControlPlane(signer);
    }

    /**
     * Uses keyshift's certificates where given: the bundle the API server trusts client certificates from, and its own
     * serving certificate and key with the bundle that verifies them. The test CA stays for whatever is not given.
     */
    private useTls(files: TlsFiles): void {
        if (files.clientCaBundle !== undefined)
            writeFileSync(path.join(this.dir, "client-ca.crt"), files.clientCaBundle);
        if (files.serving) {
            writeFileSync(path.join(this.dir, "serving.crt"), files.serving.certPem);
            writeFileSync(path.join(this.dir, "serving.key"), files.serving.keyPem, { mode: 0o600 });
            this.serverCaPem = files.serving.caPem;
        }
    }

    /** An HTTPS request authenticated by a client certificate alone; `ca` verifies the server (default: as set up). */
    requestWithCertificate(
        certPem: string,
        keyPem: string,
        method: string,
        urlPath: string,
        body?: unknown,
        ca = this.serverCaPem,
    ): Promise<HttpResult> {
        return this.send(method, urlPath, body, { cert: certPem, key: keyPem, ca });
    }

    /**
     * Every key under `prefix` in etcd with its value as the API server stored it (encrypted, when it encrypts), read
     * past the API through etcd's gRPC gateway.
     */
    async etcdValues(prefix: string): Promise<Map<string, Buffer>> {
        const end = Buffer.from(prefix);
        end[end.length - 1]++;
        const response = await fetch(`http://127.0.0.1:${this.ports.etcdClient}/v3/kv/range`, {
            method: "POST",
            body: JSON.stringify({ key: Buffer.from(prefix).toString("base64"), range_end: end.toString("base64") }),
        });
        const body = (await response.json()) as { kvs?: { key: string; value: string }[] };
        return new Map(
            (body.kvs ?? []).map((kv) => [Buffer.from(kv.key, "base64").toString(), Buffer.from(kv.value, "base64")]),
        );
    }

    /** The API server's Prometheus metrics text. */
    async metrics(): Promise<string> {
        const result = await this.request("GET", "/metrics");
        return String(result.body);
    }

    async stop(): Promise<void> {
        await Promise.all([stopProcess(this.controllerManager), stopProcess(this.apiserver)]);
        await stopProcess(this.etcd);
        rmSync(this.dir, { recursive: true, force: true });
    }

    /** An HTTPS request to the API server, as admin unless another bearer token is given. */
    request(method: string, urlPath: string, body?: unknown, token: string | null = ADMIN_TOKEN): Promise<HttpResult> {
        return this.send(method, urlPath, body, {
            ca: this.serverCaPem,
            headers: token ? { Authorization: `Bearer ${token}` } : {},
        });
    }

    private send(
        method: string,
        urlPath: string,
        body: unknown,
        options: { ca: string; cert?: string; key?: string; headers?: Record<string, string> },
    ): Promise<HttpResult> {
        return new Promise((resolve, reject) => {
            const payload = body === undefined ? undefined : JSON.stringify(body);
            const req = https.request(
                `${this.server}${urlPath}`,
                {
                    method,
                    ca: options.ca,
                    cert: options.cert,
                    key: options.key,
                    headers: {
                        ...options.headers,
                        ...(payload ? { "Content-Type": "application/json" } : {}),
                    },
                    timeout: 10_000,
                },
                (res) => {
                    const chunks: Buffer[] = [];
                    res.on("data", (chunk) => chunks.push(chunk));
                    res.on("end", () => {
                        const text = Buffer.concat(chunks).toString();
                        let parsed: unknown = text;
                        try {
                            parsed = JSON.parse(text);
                        } catch {
                            // plain-text answers such as /readyz's "ok"
                        }
                        resolve({ status: res.statusCode ?? 0, body: parsed });
                    });
                },
            );
            req.on("error", reject);
            req.on("timeout", () => req.destroy(new Error(`timeout: ${method} ${urlPath}`)));
            if (payload) req.write(payload);
            req.end();
        });
    }

    async createServiceAccount(namespace: string, name: string): Promise<void> {
        if (namespace !== "default") {
            await this.request("POST", "/api/v1/namespaces", { metadata: { name: namespace } });
        }
        const result = await this.request("POST", `/api/v1/namespaces/${namespace}/serviceaccounts`, {
            metadata: { name },
        });
        if (result.status !== 201 && result.status !== 409) {
            throw new Error(`creating ServiceAccount ${namespace}/${name}: HTTP ${result.status}`);
        }
    }

    /** A token from the TokenRequest API, signed by the API server's current signing key. */
    async tokenRequest(namespace: string, name: string): Promise<string> {
        const result = await this.request("POST", `/api/v1/namespaces/${namespace}/serviceaccounts/${name}/token`, {
            apiVersion: "authentication.k8s.io/v1",
            kind: "TokenRequest",
            spec: { expirationSeconds: 3600 },
        });
        if (result.status !== 201) {
            throw new Error(`TokenRequest for ${namespace}/${name}: HTTP ${result.status}`);
        }
        return result.body.status.token;
    }

    /**
     * Whether TokenReview accepts `token` once the API server's token cache has expired: it keeps a successful
     * authentication for about ten seconds, so a revoked token can pass for that long. Polls for up to 30 s.
     */
    async refusedWithinCacheTtl(token: string): Promise<boolean> {
        const deadline = Date.now() + 30_000;
        while (Date.now() < deadline) {
            if (!(await this.tokenReview(token))) return true;
            await sleep(1000);
        }
        return false;
    }

    /** Whether the API server's TokenReview accepts `token`. */
    async tokenReview(token: string): Promise<boolean> {
        const result = await this.request("POST", "/apis/authentication.k8s.io/v1/tokenreviews", {
            apiVersion: "authentication.k8s.io/v1",
            kind: "TokenReview",
            spec: { token },
        });
        if (result.status !== 201) {
            throw new Error(`TokenReview: HTTP ${result.status}`);
        }
        return result.body.status.authenticated === true;
    }
}

async function stopProcess(child: ChildProcess | undefined): Promise<void> {
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    await exited;
    clearTimeout(timer);
}
