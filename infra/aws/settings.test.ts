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

  it('rejects a sender that is not an email address', () => {
    expect(() => senderAddress('Tend <not-an-address>')).toThrow(/not an email address/);
    expect(senderAddress('Tend <Hello@Shop.Example>')).toBe('hello@shop.example');
  });
});
