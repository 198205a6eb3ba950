import { App } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { senderAddress, settingsFromContext } from './settings.ts';

describe('settings', () => {
  it('reads tend:* context and falls back to the documented defaults', () => {
    const withContext = new App({
      context: {
        'tend:fromEmail': 'A <a@b.example>',
        'tend:domain': 'b.example',
        'tend:trackingDomain': 't.b.example',
      },
    });
    expect(settingsFromContext(withContext.node)).toMatchObject({
      fromEmail: 'A <a@b.example>',
      domain: 'b.example',
      trackingDomain: 't.b.example',
    });
    const bare = settingsFromContext(new App().node);
    expect(bare.domain).toBeUndefined();
    expect(bare.trackingDomain).toBeUndefined();
    expect(bare.fromEmail).toMatch(/@/);
  });

  it('keeps inbox records 30 days and the timeline for good unless the context says otherwise', () => {
    const bare = settingsFromContext(new App().node);
    expect(bare.inboxRetentionDays).toBe(30);
    expect(bare).not.toHaveProperty('timelineRetentionDays');
    const fromFlags = new App({
      context: { 'tend:inboxRetentionDays': '14', 'tend:timelineRetentionDays': '730' },
    });
    expect(settingsFromContext(fromFlags.node)).toMatchObject({ inboxRetentionDays: 14, timelineRetentionDays: 730 });
    const fromCdkJson = new App({ context: { 'tend:inboxRetentionDays': 60 } });
    expect(settingsFromContext(fromCdkJson.node).inboxRetentionDays).toBe(60);
  });

  it.each([
    ['tend:inboxRetentionDays', '6'],
    ['tend:inboxRetentionDays', '30.5'],
    ['tend:inboxRetentionDays', 'a month'],
    ['tend:timelineRetentionDays', 0],
    ['tend:timelineRetentionDays', '36501'],
  ])('refuses %s=%s, naming the key', (key, value) => {
    const app = new App({ context: { [key]: value } });
    expect(() => settingsFromContext(app.node)).toThrow(new RegExp(`context ${key} must be a whole number of days`));
  });

  it('reads single sign-on from tend:oidcIssuer, tend:oidcClientId and tend:oidcName, off when unset', () => {
    expect(settingsFromContext(new App().node)).not.toHaveProperty('oidc');
    const issuer = 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123';
    const app = new App({
      context: { 'tend:oidcIssuer': issuer, 'tend:oidcClientId': 'abc123', 'tend:oidcName': 'Cognito' },
    });
    expect(settingsFromContext(app.node).oidc).toEqual({ issuer, clientId: 'abc123', name: 'Cognito' });
    const unnamed = new App({ context: { 'tend:oidcIssuer': issuer, 'tend:oidcClientId': 'abc123' } });
    expect(settingsFromContext(unnamed.node).oidc).toEqual({ issuer, clientId: 'abc123' });
  });

  it.each([
    [{ 'tend:oidcIssuer': 'https://idp.example.com' }, /go together/],
    [{ 'tend:oidcClientId': 'abc123', 'tend:oidcName': 'Okta' }, /go together/],
    [{ 'tend:oidcIssuer': 'http://idp.example.com', 'tend:oidcClientId': 'abc123' }, /must be an https URL/],
    [{ 'tend:oidcIssuer': 'idp.example.com', 'tend:oidcClientId': 'abc123' }, /must be an https URL/],
    [
      { 'tend:oidcIssuer': 'https://idp.example.com', 'tend:oidcClientId': 'abc', 'tend:oidcName': 'x'.repeat(41) },
      /at most 40/,
    ],
  ])('refuses half a single sign-on or an insecure issuer (%o)', (context, message) => {
    expect(() => settingsFromContext(new App({ context }).node)).toThrow(message);
  });

  it('rejects a sender that is not an email address', () => {
    expect(() => senderAddress('Tend <not-an-address>')).toThrow(/not an email address/);
    expect(senderAddress('Tend <Hello@Shop.Example>')).toBe('hello@shop.example');
  });
});
