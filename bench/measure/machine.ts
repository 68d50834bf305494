/** The machine a run was on: what anyone comparing two runs' absolute times needs to know. */
import { cpus, release, totalmem } from "node:os";

export function machine() {
  const cpu = cpus();
  return {
    cpu: cpu[0]?.model ?? "unknown",
    cores: cpu.length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    kernel: release(),
    node: process.version,
    date: new Date().toISOString(),
  };
}

export type Machine = ReturnType<typeof machine>;
