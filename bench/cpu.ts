import { readFileSync } from 'node:fs';

/** Linux reports process times in clock ticks; 100 per second on every mainstream kernel config. */
const CLOCK_TICKS_PER_SECOND = 100;

/** CPU time (ms) a process has used so far, from /proc; undefined off Linux or once it is gone. */
export function processCpuMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces; the numeric fields follow its ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    if (!Number.isFinite(utime) || !Number.isFinite(stime)) return undefined;
    return ((utime + stime) * 1000) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

export interface CpuSample {
  wallMs: number;
  selfMs: number;
  otherMs: number | undefined;
}

/** Samples this process's CPU time and, if given, another process's (DynamoDB Local's Java). */
export function sampleCpu(otherPid?: number): CpuSample {
  const self = process.cpuUsage();
  return {
    wallMs: performance.now(),
    selfMs: (self.user + self.system) / 1000,
    otherMs: otherPid === undefined ? undefined : processCpuMs(otherPid),
  };
}

/** CPU used between two samples, as % of one core (so 200% is both cores of a 2-core box). */
export function cpuPercent(from: CpuSample, to: CpuSample): { self: number; other: number | undefined } {
  const wall = to.wallMs - from.wallMs;
  const pct = (ms: number) => Math.round((ms / wall) * 1000) / 10;
  return {
    self: pct(to.selfMs - from.selfMs),
    other: from.otherMs === undefined || to.otherMs === undefined ? undefined : pct(to.otherMs - from.otherMs),
  };
}
