import type { Node } from 'constructs';

/** Deployment settings a user chooses with `-c key=value`; everything else comes from the manifest. */
export interface TendSettings {
  /** `From` header of journey email (`tend:fromEmail`); its address or domain must be verified in SES. */
  fromEmail: string;
  /** Postal address printed in every marketing email footer (`tend:postalAddress`). */
  postalAddress: string;
  /** Reply-To of every email (`tend:replyTo`), optional. */
  replyTo?: string;
  /** Time zone for quiet hours of contacts without one (`tend:timeZone`, default UTC). */
  timeZone: string;
  /** Sending domain (`tend:domain`); when set, an SES identity with Easy DKIM is created for it. */
  domain?: string;
  /**
   * Custom redirect domain for SES's open and click tracking (`tend:trackingDomain`), optional:
   * tracked links then point at it instead of SES's `awstrack.me`.
   */
  trackingDomain?: string;
  /** Address the alarm topic emails (`tend:alarmEmail`), optional; it must confirm the subscription. */
  alarmEmail?: string;
  /**
   * Days a raw inbox record is kept before the table's TTL deletes it (`tend:inboxRetentionDays`,
   * default 30, at least 7: the record is what makes a provider's retried delivery a no-op).
   * Unset here, the functions' own default applies (the same 30).
   */
  inboxRetentionDays?: number;
  /** Days timeline events are kept after they happened (`tend:timelineRetentionDays`); unset: for good. */
  timelineRetentionDays?: number;
  /**
   * Single sign-on to the dashboard through an OpenID Connect provider, optional: its issuer URL
   * (`tend:oidcIssuer`, https), the client id Tend is registered with there (`tend:oidcClientId`)
   * and the provider's name on the sign-in button (`tend:oidcName`). The client secret is put in
   * the Secrets Manager secret the stack then creates.
   */
  oidc?: OidcSettings;
}

export interface OidcSettings {
  issuer: string;
  clientId: string;
  name?: string;
}

/** Defaults match shared/platform/config.ts so both deployments behave alike until configured. */
export const DEFAULT_SETTINGS: TendSettings = {
  fromEmail: 'Tend <hello@tend.example.com>',
  postalAddress: 'Tend Demo Shop, 1 Example Street, Springfield',
  timeZone: 'UTC',
  inboxRetentionDays: 30,
};

/** The bounds shared/platform/config.ts puts on TEND_INBOX_RETENTION_DAYS and TEND_TIMELINE_RETENTION_DAYS. */
const RETENTION_BOUNDS = { 'tend:inboxRetentionDays': 7, 'tend:timelineRetentionDays': 1 } as const;
const MAX_RETENTION_DAYS = 36_500;

/** A whole number of days from a context value (`-c` gives a string, cdk.json may give a number). */
function retentionDays(node: Node, key: keyof typeof RETENTION_BOUNDS): number | undefined {
  const value: unknown = node.tryGetContext(key);
  if (value === undefined || value === null || value === '') return undefined;
  const days = typeof value === 'number' ? value : typeof value === 'string' ? Number(value.trim()) : Number.NaN;
  const min = RETENTION_BOUNDS[key];
  if (!Number.isInteger(days) || days < min || days > MAX_RETENTION_DAYS) {
    throw new Error(`context ${key} must be a whole number of days from ${min} to ${MAX_RETENTION_DAYS}`);
  }
  return days;
}

/** The single sign-on keys: all three unset, or at least the issuer (https) and the client id. */
function oidcSettings(text: (key: string) => string | undefined): OidcSettings | undefined {
  const issuer = text('tend:oidcIssuer');
  const clientId = text('tend:oidcClientId');
  const name = text('tend:oidcName');
  if (!issuer && !clientId && !name) return undefined;
  if (!issuer || !clientId) throw new Error('context tend:oidcIssuer and tend:oidcClientId go together');
  if (!URL.canParse(issuer) || new URL(issuer).protocol !== 'https:') {
    throw new Error(`context tend:oidcIssuer must be an https URL: ${issuer}`);
  }
  // The bounds shared/platform/config.ts puts on them: beyond, the dashboard would not start.
  if (clientId.length > 256) throw new Error('context tend:oidcClientId must be at most 256 characters');
  if (name && name.length > 40) throw new Error('context tend:oidcName must be at most 40 characters');
  return { issuer, clientId, ...(name ? { name } : {}) };
}

/** Reads the `tend:*` context keys, falling back to the documented defaults. */
export function settingsFromContext(node: Node): TendSettings {
  const text = (key: string): string | undefined => {
    const value: unknown = node.tryGetContext(key);
    if (value === undefined || value === null || value === '') return undefined;
    if (typeof value !== 'string') throw new Error(`context ${key} must be a string`);
    return value.trim();
  };
  const domain = text('tend:domain');
  const alarmEmail = text('tend:alarmEmail');
  const trackingDomain = text('tend:trackingDomain');
  const timelineRetentionDays = retentionDays(node, 'tend:timelineRetentionDays');
  const inboxRetentionDays =
    retentionDays(node, 'tend:inboxRetentionDays') ?? Number(DEFAULT_SETTINGS.inboxRetentionDays);
  // An erase finds a person's inbox records through their timeline: the records must not outlive it.
  if (timelineRetentionDays !== undefined && timelineRetentionDays < inboxRetentionDays) {
    throw new Error(
      `context tend:timelineRetentionDays (${timelineRetentionDays}) must be at least tend:inboxRetentionDays (${inboxRetentionDays})`,
    );
  }
  const oidc = oidcSettings(text);
  return {
    fromEmail: text('tend:fromEmail') ?? DEFAULT_SETTINGS.fromEmail,
    postalAddress: text('tend:postalAddress') ?? DEFAULT_SETTINGS.postalAddress,
    timeZone: text('tend:timeZone') ?? DEFAULT_SETTINGS.timeZone,
    ...(text('tend:replyTo') ? { replyTo: text('tend:replyTo') } : {}),
    ...(domain ? { domain } : {}),
    ...(trackingDomain ? { trackingDomain } : {}),
    ...(alarmEmail ? { alarmEmail } : {}),
    inboxRetentionDays,
    ...(timelineRetentionDays !== undefined ? { timelineRetentionDays } : {}),
    ...(oidc ? { oidc } : {}),
  };
}

/** The bare address of a `Name <address>` or plain `address` sender. */
export function senderAddress(fromEmail: string): string {
  const match = /<([^<>\s]+@[^<>\s]+)>\s*$/.exec(fromEmail);
  const address = (match?.[1] ?? fromEmail).trim().toLowerCase();
  if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(address))
    throw new Error(`tend:fromEmail is not an email address: ${fromEmail}`);
  return address;
}
