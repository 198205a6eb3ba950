import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { adminCall } from './local.ts';

/** A user of `role` and a personal token of theirs, made through the API by the admin token. */
export async function userWithToken(role: 'admin' | 'marketer' | 'analyst') {
  const tag = randomUUID().slice(0, 8);
  const email = `${role}-${tag}@staff.example.com`;
  const created = await adminCall('POST', '/api/users', { email, name: `${role} ${tag}`, role });
  expect(created.status).toBe(201);
  const userId = created.json.user.userId as string;
  const token = await adminCall('POST', `/api/users/${userId}/tokens`, { name: `${role}-cli` });
  expect(token.status).toBe(201);
  return { userId, email, token: token.json.token as string, tokenId: token.json.tokenId as string };
}
