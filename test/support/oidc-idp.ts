import { generateKeyPairSync, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Provider } from 'oidc-provider';

/**
 * An OpenID Connect provider for the single sign-on tests (oidc-provider, the certified one), on
 * a loopback port of its own: one confidential client registered with Tend's redirect URI, the
 * accounts a test names, and a login page (one field: the account) a browser fills or a test
 * posts to with `fetch`.
 */

/** A person the provider knows, by the id its login form takes, with the claims it tells. */
export interface TestAccount {
  email?: string;
  email_verified?: boolean;
}

export interface TestIdpOptions {
  redirectUri: string;
  accounts: Record<string, TestAccount>;
  /**
   * Puts the email claims in the ID token, as most providers do (Cognito included). Without it
   * they are told only by the UserInfo endpoint, as the OpenID Connect core profile has it for
   * the code flow.
   */
  claimsInIdToken?: boolean;
  /** A loopback port to listen on (a provider coming back where it was); any free one by default. */
  port?: number;
}

export interface TestIdp {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /**
   * Follows an authorization URL as a browser would, signs in as `accountId` (or, with
   * `'deny'`, declines), and answers the URL the provider sends the browser back to.
   */
  signIn(authorizationUrl: URL | string, accountId: string | 'deny'): Promise<URL>;
  close(): Promise<void>;
}

/** Fetches one step by hand: cookies carried in a jar, redirects not followed. */
async function step(jar: Map<string, string>, url: URL | string, init: RequestInit = {}): Promise<URL> {
  const cookie = [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
  const response = await fetch(url, { ...init, redirect: 'manual', headers: { ...init.headers, cookie } });
  for (const line of response.headers.getSetCookie()) {
    const [pair = ''] = line.split(';');
    const at = pair.indexOf('=');
    const [name, value] = [pair.slice(0, at), pair.slice(at + 1)];
    if (value === '' || /max-age=0|expires=thu, 01 jan 1970/i.test(line)) jar.delete(name);
    else jar.set(name, value);
  }
  const location = response.headers.get('location');
  if (!location) throw new Error(`${url}: ${response.status} without a redirect: ${await response.text()}`);
  return new URL(location, url);
}

async function bodyOf(req: http.IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

export async function startTestIdp(options: TestIdpOptions): Promise<TestIdp> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const clientId = 'tend-dashboard';
  const clientSecret = randomBytes(24).toString('base64url');
  const signingKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [options.redirectUri],
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
    ],
    claims: { openid: ['sub'], email: ['email', 'email_verified'] },
    conformIdTokenClaims: !options.claimsInIdToken,
    cookies: { keys: [randomBytes(32).toString('hex')] },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    jwks: { keys: [signingKey] },
    ttl: { AccessToken: 600, AuthorizationCode: 60, Grant: 600, IdToken: 600, Interaction: 600, Session: 600 },
    async findAccount(_ctx, id) {
      const account = options.accounts[id];
      return account && { accountId: id, claims: () => ({ sub: id, ...account }) };
    },
    // Tend is a first-party client: consent is given once signed in, as a company's IdP does.
    async loadExistingGrant(ctx) {
      const { client, session, result, provider: self } = ctx.oidc;
      const grantId = result?.consent?.grantId ?? session.grantIdFor(client.clientId);
      if (grantId) return self.Grant.find(grantId);
      if (!session.accountId) return undefined;
      const grant = new self.Grant({ accountId: session.accountId, clientId: client.clientId });
      grant.addOIDCScope('openid email');
      await grant.save();
      return grant;
    },
  });
  const callback = provider.callback();
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    if (!/^\/interaction\/[A-Za-z0-9_-]+$/.test(req.url ?? '')) {
      callback(req, res);
      return;
    }
    if (req.method === 'GET') {
      // The login page a browser sees: one field, the account's id.
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(
        `<!doctype html><title>Test identity provider</title><form method="post" action="${req.url}">
<label for="login">Account</label><input id="login" name="login"><button type="submit">Sign in</button></form>`,
      );
      return;
    }
    // The provider's login form, reduced to what it submits: the account, or a refusal.
    void bodyOf(req)
      .then((form) => {
        const login = form.get('login') ?? '';
        const result =
          login === 'deny'
            ? { error: 'access_denied', error_description: 'The person declined to sign in.' }
            : { login: { accountId: login } };
        return provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
      })
      .catch((error: unknown) => {
        res.writeHead(500).end(String(error));
      });
  });

  return {
    issuer,
    clientId,
    clientSecret,
    async signIn(authorizationUrl, accountId) {
      const jar = new Map<string, string>();
      const login = await step(jar, authorizationUrl);
      const resume = await step(jar, login, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ login: accountId }).toString(),
      });
      return step(jar, resume);
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
