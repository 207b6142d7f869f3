import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { SecretCipher } from '../../electron/plugins/secrets';

/** Stands in for Electron's safeStorage: real AES-256-GCM under a per-instance key, so files hold ciphertext. */
export function testCipher(available = true): SecretCipher & { available: boolean } {
  const key = randomBytes(32);
  return {
    available,
    isEncryptionAvailable() {
      return this.available;
    },
    encryptString(plain) {
      const iv = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
      return Buffer.concat([iv, c.getAuthTag(), body]);
    },
    decryptString(buf) {
      const d = createDecipheriv('aes-256-gcm', key, buf.subarray(0, 12));
      d.setAuthTag(buf.subarray(12, 28));
      return Buffer.concat([d.update(buf.subarray(28)), d.final()]).toString('utf8');
    },
  };
}
