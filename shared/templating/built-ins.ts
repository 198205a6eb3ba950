import tips from '../../templates/emails/tips.json' with { type: 'json' };
import welcome from '../../templates/emails/welcome.json' with { type: 'json' };
import defaultLayout from '../../templates/layouts/default.json' with { type: 'json' };
import footer from '../../templates/partials/footer.json' with { type: 'json' };
import { EmailLayout, EmailPartial, EmailTemplate } from './template.schema.ts';

export interface BuiltInTemplates {
  layouts: EmailLayout[];
  partials: EmailPartial[];
  templates: EmailTemplate[];
}

/**
 * The templates that ship with Tend, from `templates/` (imported statically so a bundler inlines
 * them). They are validated here; compiling them is the save path's job (`compileTemplate`).
 * Throws when a shipped file is malformed: that is a defect in the release, not user input.
 */
export function loadBuiltInTemplates(): BuiltInTemplates {
  return {
    layouts: [EmailLayout.parse(defaultLayout)],
    partials: [EmailPartial.parse(footer)],
    templates: [EmailTemplate.parse(welcome), EmailTemplate.parse(tips)],
  };
}
