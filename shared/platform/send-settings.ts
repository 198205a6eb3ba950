import type { SendSettings } from '#messaging/send-email.ts';
import { config } from './config.ts';
import { linkSecret } from './secrets.ts';

/** `Shop <news@shop.example>` → `Shop`; a bare address names itself. */
export const displayName = (from: string) => from.match(/^\s*"?([^"<]+?)"?\s*</)?.[1] ?? from;

/** Sender settings from configuration: From, Reply-To, postal address and link signing in one place. */
export async function sendSettings(): Promise<SendSettings> {
  return {
    from: config.TEND_FROM_EMAIL,
    replyTo: config.TEND_REPLY_TO,
    senderName: displayName(config.TEND_FROM_EMAIL),
    publicUrl: config.TEND_PUBLIC_URL,
    postalAddress: config.TEND_POSTAL_ADDRESS,
    configurationSet: config.TEND_SES_CONFIGURATION_SET,
    defaultTimeZone: config.TEND_DEFAULT_TIME_ZONE,
    linkSecret: await linkSecret(),
  };
}
