import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { KMSClient } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKmsSecretBox } from './kms-secret-box.ts';
import { createLocalSecretBox } from './local-secret-box.ts';

describe('local secret box', () => {
  const box = createLocalSecretBox('a-local-master-key-for-tests');

  it('seals to something that does not contain the secret and opens it again', async () => {
    const sealed = await box.seal('whsec_top-secret', 'source:shop');
    expect(sealed).not.toContain('top-secret');
    expect(await box.open(sealed, 'source:shop')).toBe('whsec_top-secret');
  });

  it('refuses to open under another context or another key', async () => {
    const sealed = await box.seal('whsec_top-secret', 'source:shop');
    await expect(box.open(sealed, 'source:other')).rejects.toThrow();
    await expect(createLocalSecretBox('another-master-key-xxxx').open(sealed, 'source:shop')).rejects.toThrow();
  });
});

/**
 * KMS cannot run here, so the adapter is exercised against a loopback endpoint that speaks the
 * KMS JSON protocol for Encrypt and Decrypt (AES-GCM, encryption context as additional data):
 * this checks the requests the SDK sends, not KMS itself. Deployed, the same code calls KMS.
 */
describe('KMS secret box', () => {
  const key = randomBytes(32);
  const calls: { target: string; body: Record<string, string & Record<string, string>> }[] = [];
  let server: http.Server;
  let kms: KMSClient;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let raw = '';
      req.on('data', (c) => {
        raw += c;
      });
      req.on('end', () => {
        const target = String(req.headers['x-amz-target']);
        const body = JSON.parse(raw);
        calls.push({ target, body });
        const aad = Buffer.from(JSON.stringify(body.EncryptionContext ?? {}));
        res.setHeader('content-type', 'application/x-amz-json-1.1');
        if (target === 'TrentService.Encrypt') {
          const iv = randomBytes(12);
          const cipher = createCipheriv('aes-256-gcm', key, iv).setAAD(aad);
          const ct = Buffer.concat([cipher.update(Buffer.from(body.Plaintext, 'base64')), cipher.final()]);
          const blob = Buffer.concat([iv, cipher.getAuthTag(), ct]).toString('base64');
          res.end(JSON.stringify({ CiphertextBlob: blob, KeyId: body.KeyId }));
          return;
        }
        try {
          const blob = Buffer.from(body.CiphertextBlob, 'base64');
          const decipher = createDecipheriv('aes-256-gcm', key, blob.subarray(0, 12)).setAAD(aad);
          decipher.setAuthTag(blob.subarray(12, 28));
          const plain = Buffer.concat([decipher.update(blob.subarray(28)), decipher.final()]);
          res.end(JSON.stringify({ Plaintext: plain.toString('base64'), KeyId: body.KeyId }));
        } catch {
          res.statusCode = 400;
          res.end(JSON.stringify({ __type: 'InvalidCiphertextException', message: 'bad ciphertext' }));
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    kms = new KMSClient({
      region: 'us-east-1',
      endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
  });
  afterAll(() => {
    kms.destroy();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('encrypts with the key and context, and decrypts once per cache period', async () => {
    const box = createKmsSecretBox(kms, 'arn:aws:kms:us-east-1:111122223333:key/tend');
    const sealed = await box.seal('shpss_secret', 'source:shop');
    expect(sealed).toMatch(/^kms:v1:/);
    expect(await box.open(sealed, 'source:shop')).toBe('shpss_secret');
    expect(await box.open(sealed, 'source:shop')).toBe('shpss_secret');
    expect(calls.map((c) => c.target)).toEqual(['TrentService.Encrypt', 'TrentService.Decrypt']);
    expect(calls[0]?.body).toMatchObject({
      KeyId: 'arn:aws:kms:us-east-1:111122223333:key/tend',
      EncryptionContext: { tend: 'source:shop' },
    });
  });

  it('fails to open under another context', async () => {
    const box = createKmsSecretBox(kms, 'arn:aws:kms:us-east-1:111122223333:key/tend');
    const sealed = await box.seal('shpss_secret', 'source:shop');
    await expect(box.open(sealed, 'source:else')).rejects.toThrow();
  });
});
