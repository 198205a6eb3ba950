import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from 'node:crypto';
import * as z from 'zod';

/**
 * Password hashes: scrypt from node:crypto (memory-hard, so guessing costs memory as well as
 * time), stored in one versioned string that carries its parameters and salt:
 *
 *   $scrypt$v=1$ln=15,r=8,p=1$<salt, base64url>$<hash, base64url>
 *
 * so a later version can raise the cost and still verify what was stored before
 * ({@link needsRehash} tells the sign-in to store a new hash when a password next verifies).
 */

/** The rules a new password must meet: long enough to resist guessing, bounded so hashing stays cheap to refuse. */
export const passwordSchema = z
  .string()
  .min(12, 'a password has at least 12 characters')
  .max(200, 'a password has at most 200 characters');

interface Params {
  /** log2 of scrypt's cost N. */
  ln: number;
  r: number;
  p: number;
}

/** N = 2^15, r = 8, p = 1: 32 MiB and about 100 ms per hash, what OWASP advises for scrypt. */
const CURRENT: Params = { ln: 15, r: 8, p: 1 };
const SALT_BYTES = 16;
const HASH_BYTES = 32;
/** Parameters accepted when verifying: a stored string outside them is refused, not run (a cost bomb). */
const LIMITS = { ln: [10, 17], r: [1, 16], p: [1, 4] } as const;

function derive(password: string, salt: Buffer, { ln, r, p }: Params): Promise<Buffer> {
  const N = 2 ** ln;
  // scrypt needs 128·N·r bytes, node's default ceiling is 32 MiB (exactly the need at ln=15, r=8): leave room.
  const options: ScryptOptions = { N, r, p, maxmem: 2 * 128 * N * r };
  return new Promise((resolve, reject) =>
    // NFKC: the same password typed on another keyboard (composed or decomposed accents) verifies.
    scrypt(password.normalize('NFKC'), salt, HASH_BYTES, options, (error, key) =>
      error ? reject(error) : resolve(key),
    ),
  );
}

const FORMAT = /^\$scrypt\$v=1\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9_-]{16,64})\$([A-Za-z0-9_-]{16,128})$/;

function parse(stored: string): { params: Params; salt: Buffer; hash: Buffer } | undefined {
  const m = FORMAT.exec(stored);
  if (!m) return undefined;
  const params = { ln: Number(m[1]), r: Number(m[2]), p: Number(m[3]) };
  for (const key of ['ln', 'r', 'p'] as const) {
    const [min, max] = LIMITS[key];
    if (params[key] < min || params[key] > max) return undefined;
  }
  return { params, salt: Buffer.from(m[4] as string, 'base64url'), hash: Buffer.from(m[5] as string, 'base64url') };
}

/** A new hash of `password` with a random salt, in the versioned format above. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const hash = await derive(password, salt, CURRENT);
  const { ln, r, p } = CURRENT;
  return `$scrypt$v=1$ln=${ln},r=${r},p=${p}$${salt.toString('base64url')}$${hash.toString('base64url')}`;
}

/** Whether `password` is the one `stored` was made from; compared in constant time. False for a malformed `stored`. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parse(stored);
  if (!parsed) return false;
  const given = await derive(password, parsed.salt, parsed.params);
  return given.length === parsed.hash.length && timingSafeEqual(given, parsed.hash);
}

/** Whether `stored` was made with other parameters than today's (then store a new hash at the next sign-in). */
export function needsRehash(stored: string): boolean {
  const parsed = parse(stored);
  return !parsed || parsed.params.ln !== CURRENT.ln || parsed.params.r !== CURRENT.r || parsed.params.p !== CURRENT.p;
}

let decoy: Promise<string> | undefined;

/**
 * Spends the time a real check spends, for an email with no password to check against: the
 * answer's timing then does not tell which emails have an account.
 */
export async function verifyNothing(password: string): Promise<false> {
  decoy ??= hashPassword(randomBytes(16).toString('hex'));
  await verifyPassword(password, await decoy);
  return false;
}
