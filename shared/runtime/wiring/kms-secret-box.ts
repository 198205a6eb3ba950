import { createKmsSecretBox } from '#adapters/kms-secret-box.ts';
import type { SecretBox } from '#ports/secret-box.ts';
import { kms } from '../clients/kms.ts';

/** The KMS secret box; ./secret-box.ts imports this module on the first seal or open. */
export const kmsSecretBox = (keyId: string): SecretBox => createKmsSecretBox(kms, keyId);
