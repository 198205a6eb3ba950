import { whyNoEmail } from './diagnose.ts';
import { waitForEmail } from './mail.ts';
import { type Distribution, distribution, round } from './stats.ts';
import { createWebhookFactory } from './webhooks.ts';

export interface LatencyResult {
  samples: number;
  discardedWarmup: number;
  pollIntervalMs: number;
  maxPauseMs: number;
  /** Mean time between the starts of two store polls (interval + one HTTP round trip). */
  effectivePollMs: number;
  ackMs: Distribution;
  emailMs: Distribution;
}

/**
 * Sends signed webhooks one at a time; for each, times the 202 and the moment its welcome
 * email is first seen in the SES emulator's store (polled every `pollMs`).
 */
export async function measureEmailLatency(options: {
  apiUrl: string;
  adminToken: string;
  mailUrl: string;
  secret: string;
  runId: string;
  samples: number;
  warmupSamples: number;
  pollMs: number;
  /** Upper bound of the random pause before each webhook. */
  maxPauseMs: number;
  say: (line: string) => void;
  /**
   * Awaited after each email and before the next webhook: waits until everything the webhook
   * set off has finished, so each one meets an idle stack and its SDK calls can be counted.
   */
  settle?: () => Promise<void>;
  /** Called once the unrecorded warm-up webhooks have settled. */
  onWarmedUp?: () => void;
}): Promise<LatencyResult> {
  const factory = createWebhookFactory(options.secret, options.runId, 'lat');
  const ack: number[] = [];
  const email: number[] = [];
  let polls = 0;
  let pollingMs = 0;
  for (let i = 0; i < options.warmupSamples + options.samples; i++) {
    if (i === options.warmupSamples) options.onWarmedUp?.();
    // A random pause first: sent right after the previous email, every webhook would meet the
    // stream driver at the same point of its poll cycle (a fixed sleep), hiding its spread.
    await new Promise((r) => setTimeout(r, Math.random() * options.maxPauseMs));
    const webhook = factory.next();
    const sinceSeconds = Math.floor(Date.now() / 1000);
    const sent = performance.now();
    const res = await fetch(`${options.apiUrl}/webhooks/demo-form`, {
      method: 'POST',
      headers: webhook.headers,
      body: webhook.body,
    });
    const acked = performance.now();
    await res.text();
    if (res.status !== 202) throw new Error(`a latency webhook was answered ${res.status}`);
    const seen = await waitForEmail(options.mailUrl, webhook.email, {
      sinceSeconds,
      intervalMs: options.pollMs,
      timeoutMs: 15_000,
    }).catch(async (error: unknown) => {
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(`${reason}: ${await whyNoEmail(options.apiUrl, options.adminToken, webhook.email)}`);
    });
    await options.settle?.();
    if (i < options.warmupSamples) continue;
    ack.push(acked - sent);
    email.push(seen.seenAt - sent);
    polls += seen.polls;
    pollingMs += seen.seenAt - acked;
    const done = i - options.warmupSamples + 1;
    if (done % 10 === 0 || done === options.samples) {
      const recent = email.slice(-10).map((v) => Math.round(v));
      options.say(`  ${done}/${options.samples}: last ${recent.length} took ${recent.join(', ')} ms`);
    }
  }
  return {
    samples: options.samples,
    discardedWarmup: options.warmupSamples,
    pollIntervalMs: options.pollMs,
    maxPauseMs: options.maxPauseMs,
    effectivePollMs: round(pollingMs / Math.max(1, polls), 2),
    ackMs: distribution(ack),
    emailMs: distribution(email),
  };
}
