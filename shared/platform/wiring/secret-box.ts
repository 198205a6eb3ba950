import { config } from '../config.ts';
import { createLocalSecretBox } from '../local-secret-box.ts';
import type { SecretBox } from '../secret-box.ts';

/**
 * The KMS box, with its client and adapter imported on the first seal or open: most of the
 * functions that carry a secret box (outbound webhooks, sources) seal or open nothing in most
 * invocations, and locally there is no KMS at all.
 */
function lazyKmsSecretBox(keyId: string): SecretBox {
  let box: Promise<SecretBox> | undefined;
  const load = () => {
    box ??= import('./kms-secret-box.ts').then((m) => m.kmsSecretBox(keyId));
    return box;
  };
  return {
    seal: async (plaintext, context) => (await load()).seal(plaintext, context),
    open: async (sealed, context) => (await load()).open(sealed, context),
  };
}

/** KMS on AWS, AES-GCM under TEND_SECRET_KEY locally; refuses to work with neither. */
export const secretBox: SecretBox = config.TEND_KMS_KEY_ID
  ? lazyKmsSecretBox(config.TEND_KMS_KEY_ID)
  : config.TEND_SECRET_KEY
    ? createLocalSecretBox(config.TEND_SECRET_KEY)
    : {
        seal: () => Promise.reject(new Error('configure TEND_KMS_KEY_ID or TEND_SECRET_KEY to store secrets')),
        open: () => Promise.reject(new Error('configure TEND_KMS_KEY_ID or TEND_SECRET_KEY to read secrets')),
      };
