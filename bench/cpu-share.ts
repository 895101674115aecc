import { readdirSync, readFileSync } from 'node:fs';

/**
 * How much of the machine's CPU went to processes outside the benchmark during a run, from /proc (Linux
 * only; elsewhere every figure is null). The benchmark's own processes are the load generator, the servers
 * under test and the PostgreSQL and Redis servers they use; anything else busy at the same time (a build,
 * a test run) competes for the same cores and skews the figures, so the report shows it.
 */

interface Snapshot {
  /** Jiffies of all CPUs, busy and idle. */
  total: number;
  busy: number;
  /** Busy in processes (user, nice, system), not in interrupts or stolen by the hypervisor. */
  processes: number;
  steal: number;
  /** Jiffies of each benchmark process, by pid. */
  ours: Map<number, number>;
}

const serverNames = new Set(['postgres', 'redis-server']);

function processTicks(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command (which may hold spaces), counted from 3: utime is 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return null;
  }
}

function processName(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return null;
  }
}

function snapshot(benchPids: number[]): Snapshot | null {
  let line: string | undefined;
  try {
    line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
  } catch {
    return null;
  }
  if (!line?.startsWith('cpu ')) return null;
  const [user, nice, system, idle, iowait, irq, softirq, steal] = line
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  const processes = user! + nice! + system!;
  const busy = processes + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0);
  const pids = new Set(benchPids);
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (Number.isInteger(pid) && serverNames.has(processName(pid) ?? '')) pids.add(pid);
  }
  const ours = new Map<number, number>();
  for (const pid of pids) {
    const ticks = processTicks(pid);
    if (ticks !== null) ours.set(pid, ticks);
  }
  return { total: busy + idle! + (iowait ?? 0), busy, processes, steal: steal ?? 0, ours };
}

/** Linux's USER_HZ, the unit of /proc's CPU times: 100 on every mainstream architecture. */
const ticksPerSecond = 100;

export interface CpuShare {
  /** Share of the whole machine (all cores) busy during the run, in percent. */
  machineBusy: number;
  /**
   * Share of the whole machine used by processes outside the benchmark, in percent. Interrupt time (much
   * of it the benchmark's own loopback traffic) and time stolen by a hypervisor count in `machineBusy` only.
   */
  others: number;
  /** Share of the machine's time its hypervisor gave to other machines, in percent. */
  steal: number;
  /** CPU time the server under test used during the run, in ms (10 ms resolution). */
  serverMs: number;
}

/**
 * Starts watching; `stop()` answers the shares since then, or null where /proc is not there. `server` is
 * the process under test, one of `benchPids`.
 */
export function watchCpu(benchPids: () => number[], server: number): { stop(): CpuShare | null } {
  const start = snapshot(benchPids());
  return {
    stop() {
      const end = snapshot(benchPids());
      if (!start || !end || end.total <= start.total) return null;
      let ours = 0;
      for (const [pid, ticks] of end.ours) ours += ticks - (start.ours.get(pid) ?? 0);
      const total = end.total - start.total;
      const busy = end.busy - start.busy;
      const processes = end.processes - start.processes;
      const serverTicks = (end.ours.get(server) ?? 0) - (start.ours.get(server) ?? 0);
      return {
        machineBusy: (100 * busy) / total,
        others: Math.max(0, (100 * (processes - ours)) / total),
        steal: (100 * (end.steal - start.steal)) / total,
        serverMs: (1000 * serverTicks) / ticksPerSecond,
      };
    },
  };
}
