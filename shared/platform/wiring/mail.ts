import { createSesMailSender } from '#messaging/ses-mail.ts';
import { ses } from '../clients/ses.ts';
import { config } from '../config.ts';

/** Email out through SES v2, under the configured configuration set. */
export const mail = createSesMailSender(ses, config.TEND_SES_CONFIGURATION_SET);
