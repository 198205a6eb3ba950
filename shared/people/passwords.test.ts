import { describe, expect, it } from 'vitest';
import { hashPassword, needsRehash, passwordSchema, verifyNothing, verifyPassword } from './passwords.ts';

describe('password hashes', () => {
  it('verifies the password a hash was made from, and no other', async () => {
    const stored = await hashPassword('correct horse battery staple');
    expect(stored).toMatch(/^\$scrypt\$v=1\$ln=15,r=8,p=1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    await expect(verifyPassword('correct horse battery staple', stored)).resolves.toBe(true);
    await expect(verifyPassword('correct horse battery stapl', stored)).resolves.toBe(false);
    await expect(verifyPassword('Correct horse battery staple', stored)).resolves.toBe(false);
  });

  it('salts every hash, so one password never gives the same string twice', async () => {
    const [a, b] = await Promise.all([hashPassword('same password here'), hashPassword('same password here')]);
    expect(a).not.toBe(b);
    await expect(verifyPassword('same password here', b)).resolves.toBe(true);
  });

  it('verifies a password typed with decomposed accents against one hashed composed', async () => {
    const stored = await hashPassword('cr\u00e8me br\u00fbl\u00e9e!');
    await expect(verifyPassword('cre\u0300me bru\u0302le\u0301e!', stored)).resolves.toBe(true);
  });

  it('refuses a malformed or tampered stored string instead of running it', async () => {
    const stored = await hashPassword('a long enough password');
    await expect(verifyPassword('a long enough password', 'plain-text')).resolves.toBe(false);
    await expect(verifyPassword('a long enough password', stored.replace('ln=15', 'ln=30'))).resolves.toBe(false);
    // The hash's last two characters changed: the stored hash no longer matches (the salt does).
    const flipped = `${stored.slice(0, -2)}${stored.endsWith('AA') ? 'BB' : 'AA'}`;
    await expect(verifyPassword('a long enough password', flipped)).resolves.toBe(false);
  });

  it('asks for a new hash when the stored one was made with other parameters', async () => {
    const stored = await hashPassword('a long enough password');
    expect(needsRehash(stored)).toBe(false);
    expect(needsRehash(stored.replace('ln=15', 'ln=14'))).toBe(true);
    await expect(verifyNothing('anything at all')).resolves.toBe(false);
  });

  it('takes passwords of 12 to 200 characters', () => {
    expect(passwordSchema.safeParse('x'.repeat(11)).success).toBe(false);
    expect(passwordSchema.safeParse('x'.repeat(12)).success).toBe(true);
    expect(passwordSchema.safeParse('x'.repeat(200)).success).toBe(true);
    expect(passwordSchema.safeParse('x'.repeat(201)).success).toBe(false);
  });
});
