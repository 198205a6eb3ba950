import * as z from 'zod';

/**
 * Normalises an email address for identity: trimmed and lower-cased. Provider-specific folding
 * (dots in Gmail local parts, plus-addressing) is deliberately not applied: those are different
 * mailboxes to the sender and merging them would join two people.
 */
export const normaliseEmail = (email: string): string => email.trim().toLowerCase();

export const emailSchema = z
  .string()
  .trim()
  .max(254, 'email is longer than 254 characters')
  .pipe(z.email({ message: 'email is not a valid address' }))
  .transform(normaliseEmail);
