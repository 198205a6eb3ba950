import type { DashboardData } from '../server/data.ts';

/** The body of a refused request (the platform's HTTP wrapper writes it). */
type Refusal = { error?: { message?: string } } | null;

/**
 * Reads `/dashboard/data/<name>` with the session cookie. Signed out (401), it goes to the
 * sign-in page; any other refusal rejects with the server's message.
 */
export async function load<K extends keyof DashboardData>(name: K, query = ''): Promise<DashboardData[K]> {
  const res = await fetch(`/dashboard/data/${name}${query}`, { credentials: 'same-origin' });
  if (res.status === 401) {
    location.href = '/dashboard/sign-in';
    throw new Error('signed out');
  }
  const body: unknown = await res.json();
  if (!res.ok) throw new Error((body as Refusal)?.error?.message || `request failed: ${res.status}`);
  return body as DashboardData[K];
}
