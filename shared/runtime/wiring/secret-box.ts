import { createKmsSecretBox } from '#adapters/kms-secret-box.ts';
import { createLocalSecretBox } from '#adapters/local-secret-box.ts';
import type { SecretBox } from '#ports/secret-box.ts';
import { kms } from '../clients/kms.ts';
import { config } from '../config.ts';

/** KMS on AWS, AES-GCM under TEND_SECRET_KEY locally; refuses to work with neither. */
export const secretBox: SecretBox = config.TEND_KMS_KEY_ID
  ? createKmsSecretBox(kms, config.TEND_KMS_KEY_ID)
  : config.TEND_SECRET_KEY
    ? createLocalSecretBox(config.TEND_SECRET_KEY)
    : {
        seal: () => Promise.reject(new Error('configure TEND_KMS_KEY_ID or TEND_SECRET_KEY to store secrets')),
        open: () => Promise.reject(new Error('configure TEND_KMS_KEY_ID or TEND_SECRET_KEY to read secrets')),
      };
