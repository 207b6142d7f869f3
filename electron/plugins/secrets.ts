import { promises as fs } from 'node:fs';
import path from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { z } from 'zod';
import { AppError } from '../core/errors';

/**
 * Where the Dify password lives. The tray app keeps it encrypted with Electron's safeStorage (DPAPI on
 * Windows, the keychain on macOS, libsecret/kwallet on Linux); the CLI reads it from DIFY_PASSWORD.
 * Nothing here ever writes a secret in plain text, and no method puts one into an error or a log.
 */
export interface SecretStore {
  get(name: string): Promise<string | null>;
  set(name: string, value: string): Promise<void>;
  delete(name: string): Promise<void>;
  /** False when `set` would refuse (no OS encryption, or a read-only source such as the environment). */
  canStore(): boolean;
  /**
   * 'stored': kept across runs (the app's encrypted file) — a Dify password there is tied to the URL it
   * was entered for (dify-password.ts). 'environment': given for this run only (the CLI's DIFY_PASSWORD).
   */
  readonly source: 'stored' | 'environment';
}

/** The CLI's Dify password (DIFY_PASSWORD); in the app's file only as left by older versions. */
export const DIFY_PASSWORD_SECRET = 'dify-password';
/** The app's Dify password with the origin it was entered for, as JSON (dify-password.ts). */
export const DIFY_LOGIN_SECRET = 'dify-login';

/** What main.ts passes from Electron's safeStorage (a structural subset, so tests use a fake). */
export interface SecretCipher {
  isEncryptionAvailable(): boolean;
  encryptString(plain: string): Buffer;
  decryptString(encrypted: Buffer): string;
}

const FileSchema = z.object({
  version: z.literal(1),
  /** name → base64 of the cipher's output (never the secret itself). */
  entries: z.record(z.string(), z.string()),
});
type SecretsFile = z.infer<typeof FileSchema>;

/**
 * A JSON file of encrypted blobs in the app-data folder. When the OS offers no encryption (e.g. Linux
 * without a keyring, where Electron would fall back to a hard-coded key), storing is refused with
 * SECRET_ENCRYPTION_UNAVAILABLE instead of writing something anyone could read. Writes are atomic
 * (temp + rename) and readable only by the user (mode 0600 where the OS honours it).
 */
export class EncryptedFileSecretStore implements SecretStore {
  readonly source = 'stored';
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly file: string,
    private readonly cipher: SecretCipher,
  ) {}

  canStore(): boolean {
    return this.cipher.isEncryptionAvailable();
  }

  async get(name: string): Promise<string | null> {
    const data = await this.read();
    const blob = data.entries[name];
    if (blob === undefined || !this.cipher.isEncryptionAvailable()) return null;
    try {
      return this.cipher.decryptString(Buffer.from(blob, 'base64'));
    } catch {
      // Encrypted by another OS user or machine (a copied profile): as good as not stored.
      return null;
    }
  }

  set(name: string, value: string): Promise<void> {
    if (!this.cipher.isEncryptionAvailable()) {
      return Promise.reject(new AppError('SECRET_ENCRYPTION_UNAVAILABLE'));
    }
    return this.mutate((data) => {
      data.entries[name] = this.cipher.encryptString(value).toString('base64');
    });
  }

  delete(name: string): Promise<void> {
    return this.mutate((data) => {
      delete data.entries[name];
    });
  }

  private mutate(change: (data: SecretsFile) => void): Promise<void> {
    const run = this.queue.then(async () => {
      const data = await this.read();
      change(data);
      try {
        await fs.mkdir(path.dirname(this.file), { recursive: true });
        await writeFileAtomic(this.file, JSON.stringify(data, null, 2) + '\n', { mode: 0o600 });
      } catch (e) {
        throw new AppError('SECRET_STORE_FAILED', {
          params: { path: this.file, reason: (e as Error).message },
        });
      }
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** A missing or unreadable file holds nothing (the user enters the password again). */
  private async read(): Promise<SecretsFile> {
    try {
      const parsed = FileSchema.safeParse(JSON.parse(await fs.readFile(this.file, 'utf8')));
      if (parsed.success) return { version: 1, entries: { ...parsed.data.entries } };
    } catch {
      // Fall through: treat as empty.
    }
    return { version: 1, entries: {} };
  }
}

/** The CLI's store: the password comes from DIFY_PASSWORD only and is never written anywhere. */
export class EnvSecretStore implements SecretStore {
  readonly source = 'environment';

  constructor(private readonly env: NodeJS.ProcessEnv) {}

  canStore(): boolean {
    return false;
  }

  async get(name: string): Promise<string | null> {
    if (name !== DIFY_PASSWORD_SECRET) return null;
    const value = this.env.DIFY_PASSWORD;
    return value ? value : null;
  }

  async set(_name: string, _value: string): Promise<void> {
    throw new AppError('SECRET_READ_ONLY');
  }

  async delete(_name: string): Promise<void> {
    throw new AppError('SECRET_READ_ONLY');
  }
}
