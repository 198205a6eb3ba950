import { describe, expect, it } from 'vitest';
import { renderTemplate } from './templates.ts';
import { unsubscribeUrl, verifyUnsubscribeToken } from './unsubscribe-link.ts';

const ctx = (firstName?: string) => ({
  contact: { email: 'ada@example.com', firstName },
  unsubscribeUrl: 'https://api.example.com/unsubscribe?c=c-1&t=abc',
  postalAddress: '1 Example Street',
});

describe('renderTemplate', () => {
  it('greets the contact by first name in subject, HTML and text', () => {
    const email = renderTemplate('welcome', ctx('Ada'));
    expect(email.subject).toContain('Ada');
    expect(email.html).toContain('Hi Ada,');
    expect(email.text).toContain('Hi Ada,');
  });

  it('falls back to "there" without a first name', () => {
    expect(renderTemplate('tips', ctx()).text).toContain('Hi there,');
  });

  it('escapes HTML in contact data', () => {
    expect(renderTemplate('welcome', ctx('<script>x</script>')).html).not.toContain('<script>');
  });

  it('shows a visible unsubscribe link and the postal address', () => {
    const email = renderTemplate('welcome', ctx('Ada'));
    expect(email.html).toContain('href="https://api.example.com/unsubscribe?c=c-1&amp;t=abc"');
    expect(email.text).toContain('1 Example Street');
  });
});

describe('unsubscribe links', () => {
  it('verify for their contact only', () => {
    const url = new URL(unsubscribeUrl('https://api.example.com', 'k'.repeat(32), 'c-1'));
    const token = url.searchParams.get('t') ?? '';
    expect(url.pathname).toBe('/unsubscribe');
    expect(verifyUnsubscribeToken('k'.repeat(32), 'c-1', token)).toBe(true);
    expect(verifyUnsubscribeToken('k'.repeat(32), 'c-2', token)).toBe(false);
    expect(verifyUnsubscribeToken('x'.repeat(32), 'c-1', token)).toBe(false);
  });
});
