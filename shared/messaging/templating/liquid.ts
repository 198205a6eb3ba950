import { Liquid } from 'liquidjs';

/**
 * One place for the Liquid options, so the save-time checks and the send-time renderer agree on
 * what parses. Template lookups go to an empty in-memory map: partials are spliced in at compile
 * time, and nothing a template says can make the renderer read the file system.
 */
export function createLiquid(options: { escapeHtml: boolean; strictFilters: boolean }): Liquid {
  return new Liquid({
    templates: {},
    cache: false,
    strictFilters: options.strictFilters,
    // Missing values render as '' instead of throwing: a contact without a first name still gets mail.
    strictVariables: false,
    ownPropertyOnly: true,
    // Given, so rendering does not depend on the host's locale; and without it Liquid asks Intl
    // for the default one, whose first use costs every function that renders 15–25 ms at cold start.
    locale: 'en-US',
    outputEscape: options.escapeHtml ? 'escape' : undefined,
    // Guards against a runaway loop in a template; a normal email renders in well under 1 ms.
    renderLimit: 1_000,
  });
}
