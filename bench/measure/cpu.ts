/**
 * How long a browser's background has run on a processor, read from Linux's per-thread scheduler
 * statistics: nanoseconds, counted by the kernel, so reading them costs the browser nothing and no
 * JavaScript timer's coarseness blurs them. It is what the benchmark judges "an event that changes
 * nothing" by: whatever the background does for the event (the listener, any reconcile, any badge
 * or version call it makes) runs on that thread, and an idle thread adds nothing.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";

/** Every process below `root`: the browser's own and its children's. */
function descendantsOf(root: number): number[] {
  const parents = new Map<number, number>();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      // The command name, in parentheses, may hold spaces: the fields after it are fixed.
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      parents.set(Number(name), ppid);
    } catch {
      // The process ended while being read.
    }
  }
  const below = (pid: number) => {
    for (let at = parents.get(pid); at !== undefined && at > 1; at = parents.get(at)) if (at === root) return true;
    return false;
  };
  return [...parents.keys()].filter(below);
}

function threadName(pid: number, tid: number): string {
  try {
    return readFileSync(`/proc/${pid}/task/${tid}/comm`, "utf8").trim();
  } catch {
    return "";
  }
}

function threadsOf(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).map(Number);
  } catch {
    return [];
  }
}

/** Nanoseconds the thread has run on a processor (the first field of schedstat). */
function runNs(pid: number, tid: number): number {
  try {
    return Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").split(" ")[0]);
  } catch {
    return 0;
  }
}

export const canReadThreadTimes = existsSync("/proc/self/task") && existsSync(`/proc/self/schedstat`);

/** Which threads below the browser's process are its background's. */
export type ThreadPicker = (pid: number, tid: number, name: string) => boolean;

/**
 * The processor time, in nanoseconds, of the threads `pick` chooses among the processes below
 * `root`; undefined where Linux's scheduler statistics cannot be read or no such thread runs.
 */
export function threadTimeNs(root: number, pick: ThreadPicker): number | undefined {
  if (!canReadThreadTimes) return undefined;
  let total = 0;
  let found = false;
  for (const pid of descendantsOf(root)) {
    for (const tid of threadsOf(pid)) {
      if (!pick(pid, tid, threadName(pid, tid))) continue;
      found = true;
      total += runNs(pid, tid);
    }
  }
  return found ? total : undefined;
}
