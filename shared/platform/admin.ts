import { timingSafeEqual } from 'node:crypto';
import { PlatformError } from './errors.ts';
import { type HttpEvent, header } from './http.ts';
import { adminToken } from './secrets.ts';

/**
 * Requires `Authorization: Bearer <admin token>`, compared in constant time. Apart from the
 * HTTP wrapper because it brings the Secrets Manager client, which public routes do not need.
 */
export async function requireAdmin(event: HttpEvent): Promise<void> {
  const given = header(event, 'authorization')?.match(/^Bearer\s+(.+)$/i)?.[1] ?? '';
  const expected = Buffer.from(await adminToken());
  const actual = Buffer.from(given);
  if (given === '' || actual.length !== expected.length || !timingSafeEqual(actual, expected)) {
    throw new PlatformError('unauthorized', 'a valid "Authorization: Bearer <admin token>" header is required');
  }
}
