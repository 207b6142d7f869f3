/**
 * A project opened once is opened by the next process without running Compose (issue 8: a new CLI
 * process must not pay for `compose version` + `compose config` while nothing changed): the model
 * Compose resolved is remembered in app data under a key of the files' bytes, and a changed file
 * is resolved again.
 */
import { appendFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { JobManager } from '../../electron/core/jobs';
import type { ComposeBinary } from '../../electron/docker/compose-cli';
import { SettingsSchema } from '../../electron/settings/schema';
import { StackService } from '../../electron/stack/stack-service';
import { dockerEngineAvailable, skipReason } from '../helpers/docker-available';
import { createTempDirSync, removeTempDir } from '../helpers/temp-dir';
import { createTestStack } from '../helpers/test-stack';

const skip = skipReason('Docker engine', dockerEngineAvailable());
const appData = createTempDirSync('remembered-model-');
afterAll(() => removeTempDir(appData));

describe.skipIf(skip)('remembered project models', () => {
  it('the second process opens the project from memory; a changed .env is resolved again', async () => {
    const stack = createTestStack({ layout: 'B', prefix: 'remember' });
    const modelsFile = path.join(appData, 'cache', 'status-models.json');
    const service = (composeAvailability?: { v2: ComposeBinary | null; v1: ComposeBinary | null }) =>
      new StackService({
        jobs: new JobManager(),
        getSettings: () => ({ ...SettingsSchema.parse({}), difyDir: stack.dir, language: 'en' }),
        modelsFile,
        ...(composeAvailability ? { composeAvailability } : {}),
      });
    try {
      const first = await service().openProject();
      expect(first.model.source).toBe('compose');
      // No Compose at all: any run would fail and leave a YAML-read model with an error.
      const none = { v2: null, v1: null };
      const second = await service(none).openProject();
      expect(second.model).toEqual(first.model);
      expect(second.bin).toMatchObject({ flavor: first.bin.flavor, version: first.bin.version });

      appendFileSync(path.join(stack.dir, '.env'), '\nGUNICORN_TIMEOUT=361\n');
      await expect(service(none).openProject()).rejects.toMatchObject({ code: 'COMPOSE_MISSING' });
    } finally {
      await stack.dispose();
    }
  });
});
