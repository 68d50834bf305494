import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

/** Where `npm run build` writes the packages. */
export const DIST = resolve(import.meta.dirname, "../../../dist");

/** A package's manifest, as far as the harness reads it. */
export interface Manifest {
  version: string;
  [key: string]: unknown;
}

export function readManifest(dir: string): Manifest {
  return JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as Manifest;
}

/** Rewrites the manifest of an unpacked package; only the manifest changes, the shipped code does not. */
export function editManifest(dir: string, edit: (manifest: Manifest) => Manifest): Manifest {
  const edited = edit(readManifest(dir));
  writeFileSync(join(dir, "manifest.json"), JSON.stringify(edited, null, 2));
  return edited;
}

/** A fresh copy of dist/<target>, to load with an edited manifest. */
export function copyPackage(target: "chrome" | "firefox"): string {
  const dir = mkdtempSync(join(tmpdir(), `toolkey-${target}-`));
  cpSync(join(DIST, target), dir, { recursive: true });
  return dir;
}

/** The manifest with access to these hosts held from install, for browsers whose dialog automation cannot answer. */
export function withHosts(hosts: readonly string[]): (manifest: Manifest) => Manifest {
  return (manifest) => ({ ...manifest, host_permissions: hosts.map((host) => `*://${host}/*`) });
}

/** The version an update brings: the last number one higher ("0.1.0" gives "0.1.1"). */
export function nextVersion(version: string): string {
  const parts = version.split(".").map(Number);
  parts[parts.length - 1] = (parts.at(-1) ?? 0) + 1;
  return parts.join(".");
}

/** The manifest of the next version, the same code otherwise: what an update installs. */
export function asUpdate(manifest: Manifest): Manifest {
  return { ...manifest, version: nextVersion(manifest.version) };
}
