import cartLastChance from '../../../templates/emails/cart-last-chance.json' with { type: 'json' };
import cartReminder from '../../../templates/emails/cart-reminder.json' with { type: 'json' };
import crossSell from '../../../templates/emails/cross-sell.json' with { type: 'json' };
import nurtureGuide from '../../../templates/emails/nurture-guide.json' with { type: 'json' };
import nurtureOffer from '../../../templates/emails/nurture-offer.json' with { type: 'json' };
import nurtureStory from '../../../templates/emails/nurture-story.json' with { type: 'json' };
import paymentFailed from '../../../templates/emails/payment-failed.json' with { type: 'json' };
import reviewRequest from '../../../templates/emails/review-request.json' with { type: 'json' };
import tierUp from '../../../templates/emails/tier-up.json' with { type: 'json' };
import tips from '../../../templates/emails/tips.json' with { type: 'json' };
import welcome from '../../../templates/emails/welcome.json' with { type: 'json' };
import winback from '../../../templates/emails/winback.json' with { type: 'json' };
import winbackOffer from '../../../templates/emails/winback-offer.json' with { type: 'json' };
import defaultLayout from '../../../templates/layouts/default.json' with { type: 'json' };
import transactionalLayout from '../../../templates/layouts/transactional.json' with { type: 'json' };
import footer from '../../../templates/partials/footer.json' with { type: 'json' };
import { EmailLayout, EmailPartial, EmailTemplate } from './template.schema.ts';

export interface BuiltInTemplates {
  layouts: EmailLayout[];
  partials: EmailPartial[];
  templates: EmailTemplate[];
}

/** The shipped emails, in journey order: onboarding, lead nurture, abandoned cart, churn rescue, loyalty. */
const EMAILS = [
  welcome,
  tips,
  nurtureGuide,
  nurtureStory,
  nurtureOffer,
  cartReminder,
  cartLastChance,
  winback,
  winbackOffer,
  paymentFailed,
  tierUp,
  reviewRequest,
  crossSell,
];

/**
 * The templates that ship with Tend, from `templates/` (imported statically so a bundler inlines
 * them). They are validated here; compiling them is the save path's job (`compileTemplate`).
 * Throws when a shipped file is malformed: that is a defect in the release, not user input.
 * `transactional` has no unsubscribe footer: receipts and payment notices are not marketing.
 */
export function loadBuiltInTemplates(): BuiltInTemplates {
  return {
    layouts: [EmailLayout.parse(defaultLayout), EmailLayout.parse(transactionalLayout)],
    partials: [EmailPartial.parse(footer)],
    templates: EMAILS.map((t) => EmailTemplate.parse(t)),
  };
}
