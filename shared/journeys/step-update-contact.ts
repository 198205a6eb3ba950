import type { Contact } from '#core/contact.ts';
import { contactEdits, type EvaluationContext } from '#workflows/conditions.ts';
import type { NodeOf } from '#workflows/journey.schema.ts';
import { EnrollmentExitedError } from './context.ts';
import type { StepDeps, StepRequest } from './step.types.ts';

/**
 * Applies an update-contact node's changes to the contact (its properties, with this journey as
 * their source, and its tags), again on a fresh read when another change raced it. Returns the
 * contact's properties and tags as updated.
 */
export async function updateContact(
  deps: StepDeps,
  req: StepRequest,
  node: NodeOf<'update-contact'>,
  ctx: EvaluationContext,
  /** The contact as read with the facts: the first attempt's (a retry reads it again). */
  loaded: Contact | undefined,
): Promise<{ properties: Contact['properties']; tags: string[] }> {
  const at = deps.clock.now().toISOString();
  for (let attempt = 0; attempt < 5; attempt++) {
    const contact = attempt === 0 && loaded ? loaded : await deps.store.getContact(req.contactId);
    if (!contact) throw new EnrollmentExitedError(`contact ${req.contactId} no longer exists`);
    const edits = contactEdits(node.changes, {
      ...ctx,
      contact: { ...ctx.contact, properties: contact.properties, tags: contact.tags ?? [] },
    });
    const tags = new Set(contact.tags ?? []);
    for (const tag of edits.addTags) tags.add(tag);
    for (const tag of edits.removeTags) tags.delete(tag);
    const provenance = Object.fromEntries(
      [...Object.keys(edits.set), ...edits.unset].map((key) => [key, { source: `journey:${req.journeyId}`, at }]),
    );
    const changed = await deps.store.changeProfile(
      contact.contactId,
      contact.version ?? 0,
      {
        setProperties: edits.set,
        removeProperties: edits.unset,
        provenance,
        ...(edits.addTags.length || edits.removeTags.length ? { tags: [...tags].sort() } : {}),
      },
      at,
    );
    if (changed) {
      const properties = { ...contact.properties, ...edits.set };
      for (const key of edits.unset) delete properties[key];
      return { properties, tags: [...tags].sort() };
    }
  }
  throw new Error(`contact ${req.contactId} kept changing; the update will be retried`);
}
