import { promises as fs } from 'node:fs';
import path from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { z } from 'zod';
import type { PasswordEncoding } from './auth-era';

/**
 * Which password form to send first to each Dify (keyed by its console API URL): the one that worked
 * last, or the one a refusal proved. Kept in app data next to the settings, so the app and every CLI
 * run share it — a fresh run then spends no failed login on finding the form again (each counts toward
 * Dify's lock-out, shared/facts.md). Holds no secret: only URLs, a form and a time.
 */

export interface LoginMemory {
  recall(apiBase: string): Promise<PasswordEncoding | null>;
  remember(apiBase: string, encoding: PasswordEncoding): Promise<void>;
}

const EntrySchema = z.object({ passwordEncoding: z.enum(['base64', 'plain']), at: z.number() });
const FileSchema = z.record(z.string(), EntrySchema);
type Entries = z.infer<typeof FileSchema>;

export const LOGIN_MEMORY_FILE = 'dify-logins.json';

export class LoginMemoryFile implements LoginMemory {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(readonly file: string) {}

  async recall(apiBase: string): Promise<PasswordEncoding | null> {
    return (await this.read())[apiBase]?.passwordEncoding ?? null;
  }

  /**
   * Read, change one entry, write atomically (a reader never sees half a file). Writes of this process
   * are queued; another process writing at the same moment may win with its own entry — the loser's
   * entry is only a hint and is learnt again at its next login.
   */
  remember(apiBase: string, encoding: PasswordEncoding): Promise<void> {
    const run = this.queue.then(async () => {
      const entries = await this.read();
      if (entries[apiBase]?.passwordEncoding === encoding) return;
      entries[apiBase] = { passwordEncoding: encoding, at: Date.now() };
      await fs.mkdir(path.dirname(this.file), { recursive: true });
      await writeFileAtomic(this.file, JSON.stringify(entries, null, 2) + '\n');
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** A missing or damaged file is an empty memory: it only saves guesses, it never decides alone. */
  private async read(): Promise<Entries> {
    try {
      const parsed = FileSchema.safeParse(JSON.parse(await fs.readFile(this.file, 'utf8')));
      return parsed.success ? parsed.data : {};
    } catch {
      return {};
    }
  }
}
