/** Reading the SES v2 emulator's captured mail (`GET <mail>/store`). */

interface CapturedEmail {
  messageId: string;
  destination: { to: string[] };
  subject: string;
  /** Seconds since the epoch (the emulator's resolution). */
  at: number;
}

/** Captured mail, or only mail captured at or after `sinceSeconds` (the emulator filters). */
export async function capturedEmails(mailUrl: string, sinceSeconds?: number): Promise<CapturedEmail[]> {
  const url = sinceSeconds === undefined ? `${mailUrl}/store` : `${mailUrl}/store?since=${sinceSeconds}`;
  const res = await fetch(url);
  if (!res.ok) throw new Error(`GET ${url} answered ${res.status}`);
  const { emails } = (await res.json()) as { emails: CapturedEmail[] };
  return emails;
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

/**
 * Counts mail to addresses starting with `prefix` without re-downloading the whole store on each
 * poll: each poll asks for mail since the second the previous poll started (windows overlap by
 * design, messages are keyed by id so none is counted twice).
 */
export function createMailCounter(mailUrl: string, prefix: string) {
  const byAddress = new Map<string, Set<string>>();
  let since: number | undefined;
  return {
    async poll(): Promise<number> {
      const started = nowSeconds();
      for (const email of await capturedEmails(mailUrl, since)) {
        for (const to of email.destination.to) {
          if (!to.startsWith(prefix)) continue;
          const ids = byAddress.get(to) ?? new Set<string>();
          ids.add(`${email.messageId}|${email.subject}`);
          byAddress.set(to, ids);
        }
      }
      since = started;
      return byAddress.size;
    },
    /** Distinct recipients seen so far. */
    get recipients(): number {
      return byAddress.size;
    },
    /** Messages seen so far (a recipient with two welcome emails counts twice). */
    get messages(): number {
      let n = 0;
      for (const ids of byAddress.values()) n += ids.size;
      return n;
    },
    has: (address: string) => byAddress.has(address),
  };
}

/**
 * Polls the store every `intervalMs` (each poll is one HTTP round trip, then the pause) until
 * mail to `address` appears; returns when it was seen and how many polls it took.
 */
export async function waitForEmail(
  mailUrl: string,
  address: string,
  options: { sinceSeconds: number; intervalMs: number; timeoutMs: number },
): Promise<{ seenAt: number; polls: number }> {
  const deadline = performance.now() + options.timeoutMs;
  for (let polls = 1; ; polls++) {
    const emails = await capturedEmails(mailUrl, options.sinceSeconds);
    if (emails.some((e) => e.destination.to.includes(address))) return { seenAt: performance.now(), polls };
    if (performance.now() > deadline) throw new Error(`no email to ${address} within ${options.timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, options.intervalMs));
  }
}
