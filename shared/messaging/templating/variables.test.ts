import { describe, expect, it } from 'vitest';
import { isKnownVariable, suggestVariable } from './variables.ts';

describe('isKnownVariable', () => {
  it.each([
    [['contact', 'firstName']],
    [['contact', 'properties', 'plan', 'tier']],
    [['contact', 'tags', 'size']],
    [['event', 'order', 'items', 0, 'title']],
    [['journey', 'id']],
    [['links']],
    [['contact', 'properties', ['event', 'key']]],
  ])('accepts %j', (segments) => {
    expect(isKnownVariable(segments)).toBe(true);
  });

  it.each([
    [['contact', 'firstname']],
    [['contact', 'contactId']],
    [['contact', 'email', 'domain']],
    [['sender', 'address']],
    [['content']],
    [['constructor']],
    [['contact', ['event', 'key']]],
  ])('refuses %j', (segments) => {
    expect(isKnownVariable(segments)).toBe(false);
  });
});

describe('suggestVariable', () => {
  it.each([
    ['contact.firstname', 'contact.firstName'],
    ['contact.first_name', 'contact.firstName'],
    ['firstName', 'contact.firstName'],
    ['links.unsubscibe', 'links.unsubscribe'],
    ['sender.address', 'sender.postalAddress'],
    ['contact.plan', 'contact.properties.plan'],
  ])('suggests %s → %s', (typo, meant) => {
    expect(suggestVariable(typo)).toBe(meant);
  });

  it('suggests nothing for a name unlike any', () => {
    expect(suggestVariable('weather.today')).toBeUndefined();
  });
});
