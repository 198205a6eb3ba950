import type { LocalStack } from '../infra/local/stack.ts';
import { createMailCounter } from './mail.ts';
import { round } from './stats.ts';

export interface ProcessingCheck {
  /** The stream driver reported idle (every stored record delivered) before the deadline. */
  drained: boolean;
  /** Seconds from the end of the load until the last welcome email appeared (1 s polls). */
  drainSeconds: number;
  recipientsWithEmail: number;
  acceptedWithoutEmail: number;
  /** Examples of accepted webhooks without an email, if any. */
  missingExamples: string[];
  duplicateEmails: number;
  /** Welcome emails to addresses whose 202 the generator never saw (in flight when a stage ended). */
  emailsBeyondAccepted: number;
  /** Welcome emails per second while the load ran (warm-up included), and after it. */
  emailsPerSecondDuringLoad: number;
  emailsPerSecondAfterLoad: number;
}

/**
 * After the load: waits for the stream driver to drain and for the journeys to send their
 * welcome emails, then checks every webhook answered 202 produced exactly one email.
 */
export async function waitForProcessing(options: {
  stack: LocalStack;
  mailUrl: string;
  /** Prefix shared by every address the load used. */
  prefix: string;
  acceptedEmails: readonly string[];
  loadStartedAt: number;
  loadEndedAt: number;
  timeoutSeconds: number;
  say: (line: string) => void;
}): Promise<ProcessingCheck> {
  const { acceptedEmails, loadEndedAt, say } = options;
  const counter = createMailCounter(options.mailUrl, options.prefix);
  let drained = false;
  void options.stack.drained().then(() => {
    drained = true;
  });
  const atLoadEnd = await counter.poll();
  // A backlog may take long to drain: the wait ends only when emails stop coming for the timeout.
  const stalledAfter = options.timeoutSeconds * 1000;
  let last = atLoadEnd;
  let lastIncreaseAt = performance.now();
  let quietPolls = 0;
  while (performance.now() - lastIncreaseAt < stalledAfter) {
    await new Promise((r) => setTimeout(r, 1_000));
    const count = await counter.poll();
    if (count !== last) {
      last = count;
      lastIncreaseAt = performance.now();
      quietPolls = 0;
    } else {
      quietPolls += 1;
    }
    say(
      `  +${((performance.now() - loadEndedAt) / 1000).toFixed(0)} s: ${count} welcome emails for ` +
        `${acceptedEmails.length} accepted webhooks${drained ? ' (stream drained)' : ''}`,
    );
    // Done once the stream is drained and the count has stopped moving (briefly if every
    // accepted webhook is accounted for, longer if some are missing, in case they are late).
    if (drained && quietPolls >= (count >= acceptedEmails.length ? 1 : 5)) break;
  }
  const missing = acceptedEmails.filter((email) => !counter.has(email));
  const loadSeconds = (loadEndedAt - options.loadStartedAt) / 1000;
  const afterSeconds = (lastIncreaseAt - loadEndedAt) / 1000;
  return {
    drained,
    drainSeconds: round(afterSeconds, 1),
    recipientsWithEmail: counter.recipients,
    acceptedWithoutEmail: missing.length,
    missingExamples: missing.slice(0, 5),
    duplicateEmails: counter.messages - counter.recipients,
    emailsBeyondAccepted: counter.recipients - (acceptedEmails.length - missing.length),
    emailsPerSecondDuringLoad: round(atLoadEnd / loadSeconds, 1),
    emailsPerSecondAfterLoad: afterSeconds > 0 ? round((counter.recipients - atLoadEnd) / afterSeconds, 1) : 0,
  };
}
