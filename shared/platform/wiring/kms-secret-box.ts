import { kms } from '../clients/kms.ts';
import { createKmsSecretBox } from '../kms-secret-box.ts';
import type { SecretBox } from '../secret-box.ts';

/** The KMS secret box; ./secret-box.ts imports this module on the first seal or open. */
export const kmsSecretBox = (keyId: string): SecretBox => createKmsSecretBox(kms, keyId);
