import { describe, expect, it } from 'vitest';
import { functions } from './app-functions.ts';
import { routes } from './routes.ts';

/**
 * What `apiLambda` needs at run time, granted on AWS (the local stack has no IAM, so only this
 * check catches a missing grant before a deploy does).
 */
describe('the grants of the API functions', () => {
  const served = (test: (route: (typeof routes)[number]) => boolean) => [
    ...new Set(routes.filter(test).map((r) => r.function)),
  ];
  const grants = (name: keyof typeof functions) => functions[name].grants as readonly string[];

  it('lets every function behind a user route read the admin token and append to the audit log', () => {
    for (const name of served((r) => r.auth === 'user' || r.auth === 'user-or-api-key')) {
      expect(grants(name), name).toContain('secret:admin-token');
      expect(grants(name).includes('table:write') || grants(name).includes('audit:append'), name).toBe(true);
    }
  });

  it('lets every function behind a route naming a contact read the key its audit entry hashes the id with', () => {
    const naming = served((r) => r.auth === 'user' && r.path.includes('{contactId}'));
    expect(naming.length).toBeGreaterThan(0);
    for (const name of naming) expect(grants(name), name).toContain('secret:link-signing');
  });
});
