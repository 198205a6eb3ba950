import { type CpuSample, cpuPercent, sampleCpu } from './cpu.ts';
import { runLoad } from './load.ts';
import type { LoadJob, LoadResult } from './load-protocol.ts';
import type { LoadPhaseResult } from './report.ts';
import { round } from './stats.ts';

/**
 * Runs one autocannon job in the forked generator, printing each second, and samples CPU time
 * (this process, and DynamoDB Local's JVM when its pid is given) over the measured stage.
 */
export async function loadPhase(
  label: string,
  job: LoadJob,
  say: (line: string) => void,
  javaPid?: number,
): Promise<LoadPhaseResult & LoadResult> {
  say(`\n▶ ${label}: ${job.connections} connections, ${job.warmupSeconds} s warm-up + ${job.durationSeconds} s`);
  let cpuFrom: CpuSample | undefined;
  let cpuTo: CpuSample | undefined;
  const run = runLoad(job, (message) => {
    if (message.type === 'stage') {
      if (message.stage === 'measured' && message.event === 'start') cpuFrom = sampleCpu(javaPid);
      if (message.stage === 'measured' && message.event === 'end') cpuTo = sampleCpu(javaPid);
      return;
    }
    const total = message.stage === 'warmup' ? job.warmupSeconds : job.durationSeconds;
    // autocannon ticks once more after the last second; that tick counts nothing.
    if (message.second > total) return;
    say(
      `  ${message.stage.padEnd(8)} ${String(message.second).padStart(2)}/${total} s  ${message.responses} responses/s`,
    );
  });
  try {
    const result = await run.result;
    const m = result.measured;
    const server = cpuFrom && cpuTo ? cpuPercent(cpuFrom, cpuTo) : { self: Number.NaN, other: undefined };
    const phase = {
      ...result,
      url: job.url,
      connections: job.connections,
      warmupSeconds: job.warmupSeconds,
      acceptedPerSecond: round((m.statusCounts['202'] ?? 0) / m.durationSeconds),
      responsesPerSecond: round(m.responses / m.durationSeconds),
      cpu: { benchProcess: server.self, loadGenerator: round(m.clientCpuPercent, 1), dynamoDbLocal: server.other },
    };
    say(
      `  → ${phase.responsesPerSecond} responses/s, ${phase.acceptedPerSecond} accepted (202)/s, ` +
        `p50 ${m.latencyMs.p50} ms, p99 ${m.latencyMs.p99} ms, non-2xx ${m.non2xx}, errors ${m.errors}; ` +
        `CPU: this process ${phase.cpu.benchProcess}%, generator ${phase.cpu.loadGenerator}%` +
        (phase.cpu.dynamoDbLocal === undefined ? '' : `, DynamoDB Local ${phase.cpu.dynamoDbLocal}%`),
    );
    return phase;
  } finally {
    run.stop();
  }
}

/** A load phase without the per-request email list, for the report. */
export function forReport(phase: LoadPhaseResult & Partial<LoadResult>): LoadPhaseResult {
  const { acceptedEmails: _emails, generated: _generated, warmup: _warmup, ...rest } = phase;
  return rest;
}
