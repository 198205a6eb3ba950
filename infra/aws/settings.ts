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
}

/** Defaults match shared/platform/config.ts so both deployments behave alike until configured. */
export const DEFAULT_SETTINGS: TendSettings = {
  fromEmail: 'Tend <hello@tend.example.com>',
  postalAddress: 'Tend Demo Shop, 1 Example Street, Springfield',
  timeZone: 'UTC',
};

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
  return {
    fromEmail: text('tend:fromEmail') ?? DEFAULT_SETTINGS.fromEmail,
    postalAddress: text('tend:postalAddress') ?? DEFAULT_SETTINGS.postalAddress,
    timeZone: text('tend:timeZone') ?? DEFAULT_SETTINGS.timeZone,
    ...(text('tend:replyTo') ? { replyTo: text('tend:replyTo') } : {}),
    ...(domain ? { domain } : {}),
    ...(trackingDomain ? { trackingDomain } : {}),
    ...(alarmEmail ? { alarmEmail } : {}),
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
