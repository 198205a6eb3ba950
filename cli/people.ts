import type { ApiClient } from './http.ts';

type Row = Record<string, unknown>;
const show = (value: unknown) => (value === undefined || value === null ? '-' : String(value));

export interface PeopleOptions {
  name?: string;
  email?: string;
  role?: string;
  actor?: string;
  target?: string;
  limit?: string;
  cursor?: string;
  json: boolean;
}

/** `tend users list|invite|show|set|reinvite|sign-out|delete|tokens|token-create|token-revoke`. */
export async function usersCommand(
  api: ApiClient,
  command: string | undefined,
  args: string[],
  o: PeopleOptions,
  usage: (message: string) => never,
) {
  const id = () => encodeURIComponent(args[0] ?? usage(`users ${command} needs a user id`));
  const printInvitation = (invitation: unknown) => {
    const link = invitation as { url?: string; expiresAt?: string } | undefined;
    if (link?.url)
      console.log(`\nInvitation link (shown once; send it to them), valid until ${link.expiresAt}:\n  ${link.url}`);
  };
  switch (command) {
    case 'list': {
      const { users } = (await api.call('GET', '/api/users')) as { users: Row[] };
      if (o.json) return console.log(JSON.stringify(users, null, 2));
      if (users.length === 0) console.log('no users yet: tend users invite <email> --name "Ann" --role marketer');
      for (const u of users) {
        console.log(
          `${show(u.userId)}  ${show(u.email).padEnd(32)} ${show(u.role).padEnd(9)} ${show(u.status).padEnd(8)} ${show(u.name)}`,
        );
      }
      return;
    }
    case 'invite': {
      const email = args[0] ?? usage('users invite needs an email');
      if (!o.role) usage('users invite needs --role admin|marketer|analyst');
      const out = await api.call('POST', '/api/users', { email, name: o.name ?? email, role: o.role });
      const user = out.user as Row;
      console.log(`invited ${user.email} as ${user.role} (user ${user.userId})`);
      return printInvitation(out.invitation);
    }
    case 'show':
      return console.log(JSON.stringify((await api.call('GET', `/api/users/${id()}`)).user, null, 2));
    case 'set': {
      if (!o.role && !o.name) usage('users set needs --role and/or --name');
      const out = await api.call('PATCH', `/api/users/${id()}`, {
        ...(o.role ? { role: o.role } : {}),
        ...(o.name ? { name: o.name } : {}),
      });
      return console.log(`${args[0]}: ${out.changes}`);
    }
    case 'reinvite': {
      const out = await api.call('PATCH', `/api/users/${id()}`, { reinvite: true });
      console.log(`${args[0]}: ${out.changes}`);
      return printInvitation(out.invitation);
    }
    case 'sign-out':
      await api.call('PATCH', `/api/users/${id()}`, { revokeSessions: true });
      return console.log(`${args[0]}: signed out of every dashboard session`);
    case 'delete':
      await api.call('DELETE', `/api/users/${id()}`);
      return console.log(`deleted ${args[0]}; their tokens stop working now`);
    case 'tokens': {
      const { tokens } = (await api.call('GET', `/api/users/${id()}/tokens`)) as { tokens: Row[] };
      if (o.json) return console.log(JSON.stringify(tokens, null, 2));
      for (const t of tokens) {
        console.log(
          `${show(t.tokenId)}  ${show(t.name).padEnd(24)} created ${show(t.createdAt)}${t.revokedAt ? `  revoked ${t.revokedAt}` : ''}`,
        );
      }
      return;
    }
    case 'token-create': {
      const name = o.name ?? usage('users token-create needs --name');
      const out = await api.call('POST', `/api/users/${id()}/tokens`, { name });
      return console.log(`created token ${out.tokenId} "${name}"\n\nToken (shown once; store it now):\n  ${out.token}`);
    }
    case 'token-revoke': {
      const tokenId = args[1] ?? usage('users token-revoke needs a user id and a token id');
      await api.call('POST', `/api/users/${id()}/tokens/${encodeURIComponent(tokenId)}/revoke`);
      return console.log(`revoked token ${tokenId}`);
    }
    default:
      usage(`unknown users command "${command ?? ''}"`);
  }
}

/** `tend audit [--actor A] [--target T] [--limit 50] [--cursor C] [--json]`: newest first. */
export async function auditCommand(api: ApiClient, o: PeopleOptions) {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries({ actor: o.actor, target: o.target, limit: o.limit, cursor: o.cursor })) {
    if (value) query.set(key, value);
  }
  const out = (await api.call('GET', `/api/audit${query.size ? `?${query}` : ''}`)) as {
    entries: Row[];
    cursor?: string;
  };
  if (o.json) return console.log(JSON.stringify(out, null, 2));
  for (const e of out.entries) {
    const actor = e.actor as Row;
    const who = actor.kind === 'admin-token' ? 'admin token' : show(actor.email ?? actor.keyId);
    console.log(`${show(e.at)}  ${who.padEnd(28)} ${show(e.action).padEnd(18)} ${show(e.summary)}  (${show(e.ip)})`);
  }
  if (out.entries.length === 0) console.log('no entries');
  if (out.cursor) console.log(`\nmore: tend audit --cursor ${out.cursor}`);
}
