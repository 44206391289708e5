// Reading what the Kubernetes provider renders in renderYamlToDirectory mode, for the render suites.

import { existsSync, readFileSync, readdirSync } from "fs";
import * as path from "path";
import { parse } from "yaml";

/** Every rendered manifest under `dir`, by path relative to it. */
export function manifests(dir: string): Map<string, string> {
    const files = new Map<string, string>();
    const walk = (at: string) => {
        for (const entry of readdirSync(at, { withFileTypes: true })) {
            const full = path.join(at, entry.name);
            if (entry.isDirectory()) walk(full);
            else files.set(path.relative(dir, full), readFileSync(full, "utf8"));
        }
    };
    if (existsSync(dir)) walk(dir);
    return files;
}

/** A Secret manifest's values, whether the provider rendered them as data or stringData. */
export function secretValues(manifest: string): Record<string, string> {
    const doc = parse(manifest);
    const decoded = Object.fromEntries(
        Object.entries<string>(doc.data ?? {}).map(([key, value]) => [key, Buffer.from(value, "base64").toString()]),
    );
    return { ...decoded, ...(doc.stringData ?? {}) };
}
