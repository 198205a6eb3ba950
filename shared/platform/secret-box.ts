/**
 * Encrypts the secrets Tend keeps in its table (webhook signing secrets of sources and of
 * outbound endpoints). On AWS it is KMS; locally AES-256-GCM under a key from configuration.
 * `context` binds a ciphertext to what it protects (e.g. `source:shopify-main`): a sealed value
 * copied onto another record does not open.
 */
export interface SecretBox {
  seal(plaintext: string, context: string): Promise<string>;
  open(sealed: string, context: string): Promise<string>;
}
