import type { ApiClient } from './http.ts';

export interface PrivacyOptions {
  /** Erase: wait until the erase is done, printing what it removed. */
  wait: boolean;
  /** How long `--wait` waits before giving up (the erase goes on regardless). */
  waitMs?: number;
  /** Where lines go (the terminal; a test's capture). */
  print?: (line: string) => void;
}

type Request = {
  requestId: string;
  status: 'running' | 'done';
  requestedAt: string;
  doneAt?: string;
  removed?: Record<string, number>;
};

const describe = (r: Request) => {
  const removed = Object.entries(r.removed ?? {})
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([kind, n]) => `${kind} ${n}`)
    .join(', ');
  return `${r.requestId}: ${r.status}${r.doneAt ? ` at ${r.doneAt}` : ''}${removed ? `; removed ${removed}` : ''}`;
};

/**
 * `tend contacts export <contactId>`: everything held about a person, as JSON on stdout.
 * `tend contacts erase <contactId> [--wait]`: asks for the erase (asking again shows the same
 * request) and, with `--wait`, follows it until it is done.
 * `tend contacts unsubscribe|resubscribe <contactId> <topic|all>`: a person's request, recorded by
 * staff. Returns the exit code.
 */
export async function contactsCommand(
  api: ApiClient,
  command: string | undefined,
  args: string[],
  o: PrivacyOptions,
  usage: (message: string) => never,
): Promise<number> {
  const print = o.print ?? ((line: string) => console.log(line));
  const contactId = () => encodeURIComponent(args[0] ?? usage(`contacts ${command} needs a contact id`));
  switch (command) {
    case 'export': {
      print(JSON.stringify(await api.call('GET', `/api/contacts/${contactId()}/export`), null, 2));
      return 0;
    }
    case 'erase': {
      let request = (await api.call('POST', `/api/contacts/${contactId()}/erase`)) as unknown as Request;
      print(`erase requested: ${describe(request)}`);
      if (!o.wait) return 0;
      const deadline = Date.now() + (o.waitMs ?? 10 * 60_000);
      for (let delay = 250; request.status !== 'done'; delay = Math.min(delay * 2, 2_000)) {
        if (Date.now() > deadline) {
          print(`still running; ask again later: tend contacts erase ${args[0]}`);
          return 1;
        }
        await new Promise((resolve) => setTimeout(resolve, delay));
        request = (await api.call(
          'GET',
          `/api/privacy/requests/${encodeURIComponent(request.requestId)}`,
        )) as unknown as Request;
      }
      print(`erased: ${describe(request)}`);
      return 0;
    }
    case 'unsubscribe':
    case 'resubscribe': {
      const topic = args[1] ?? usage(`contacts ${command} needs a contact id and a topic (or "all")`);
      const out = await api.call('POST', `/api/contacts/${contactId()}/${command}`, { topic });
      print(`${args[0]}: ${out.topic} ${out.status}${out.changed ? '' : ' (it already was)'}`);
      return 0;
    }
    default:
      return usage(
        command
          ? `unknown contacts command "${command}"`
          : 'contacts needs a command: export, erase, unsubscribe or resubscribe',
      );
  }
}
