import { createHmac } from 'node:crypto';

/**
 * A keyed hash naming a person without holding their data: the audit log's contact targets and
 * the erased-address list use it, so an erase leaves no email or contact id behind. The key is
 * derived from the link secret for this purpose only (as the dashboard's session key is).
 */
export function personHash(secret: string, value: string): string {
  const key = createHmac('sha256', secret).update('tend-person-hash-v1').digest();
  return createHmac('sha256', key).update(value).digest('base64url').slice(0, 32);
}
