/**
 * Issue 15: random shapes sent to EVERY invoke channel of the contract (iterated, so a new channel is
 * fuzzed without touching this file), through the path a renderer call takes: ipc.ts's registration
 * on a fake ipcMain, a sender frame on our page, and the handlers createInvokeHandlers builds over
 * real services in a temporary app-data folder. Every input the channel's schema refuses answers
 * INVALID_ARGUMENT, nothing throws past the handler, and nothing changes: no file in the app-data
 * folder (settings, secrets, registered plugin folders), no job started. The same calls from another
 * page's frame are refused for every channel, valid input or not.
 */
import fc from 'fast-check';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  INVOKE_CHANNELS,
  invokeContract,
  invokeIpcName,
  type InvokeChannel,
} from '../../../electron/contract';
import { APP_ENTRY_URL } from '../../../electron/core/app-protocol';
import { createInvokeHandlers } from '../../../electron/handlers';
import { registerIpc } from '../../../electron/ipc';
import { DIFY_LOGIN_SECRET, EncryptedFileSecretStore } from '../../../electron/plugins/secrets';
import { createServices, type AppServices } from '../../../electron/services';
import { testCipher } from '../../doubles/test-cipher';

type IpcHandler = (event: unknown, input: unknown) => unknown;

const ipc = vi.hoisted(() => ({ handlers: new Map<string, IpcHandler>() }));
vi.mock('electron', () => ({
  ipcMain: {
    handle: (name: string, fn: IpcHandler) => ipc.handlers.set(name, fn),
    removeHandler: (name: string) => ipc.handlers.delete(name),
  },
}));

let work = '';
let services: AppServices;
let unregister: () => void = () => undefined;
const adapterCalls: string[] = [];

/** Every file under `dir` with its bytes (base64), so any write shows as a difference. */
function tree(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const file = path.join(d, name);
      if (statSync(file).isDirectory()) walk(file);
      else files[path.relative(dir, file)] = readFileSync(file).toString('base64');
    }
  };
  walk(dir);
  return files;
}

const ourFrame = { senderFrame: { url: APP_ENTRY_URL, parent: null }, sender: { id: 1 } };
const foreignFrames = [
  { senderFrame: { url: 'https://evil.example/', parent: null }, sender: { id: 2 } },
  // Our page inside a frame is not our window's page.
  { senderFrame: { url: APP_ENTRY_URL, parent: {} }, sender: { id: 3 } },
  { senderFrame: null, sender: { id: 4 } },
];

async function call(channel: InvokeChannel, event: unknown, input: unknown): Promise<unknown> {
  const handler = ipc.handlers.get(invokeIpcName(channel));
  if (!handler) throw new Error(`no ipcMain handler for ${channel}`);
  return handler(event, input);
}

/** Values a compromised page could send: nothing our schemas were written for. */
const hostile: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(undefined, null, true, 0, -1, Number.NaN, Infinity, '', 'x'.repeat(1_000_000)),
  fc.anything({ maxDepth: 3, withBigInt: true, withDate: true, withMap: true, withSet: true }),
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.array(fc.anything({ maxDepth: 1 }), { maxLength: 5 }),
  fc.dictionary(
    fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'dir', 'id', 'topic', 'values', 'x'),
    fc.anything({ maxDepth: 2 }),
    { minKeys: 1 },
  ),
  // JSON.parse keeps "__proto__" as an own key, as structured clone over IPC does.
  fc.constantFrom(
    JSON.parse('{"__proto__":{"polluted":true}}') as unknown,
    JSON.parse('{"constructor":{"prototype":{"polluted":true}}}') as unknown,
  ),
);

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'dst-fuzz-'));
  const config = path.join(work, 'config');
  mkdirSync(path.join(work, 'plugin-a'), { recursive: true });
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: work,
    XDG_CONFIG_HOME: config,
    // No engine here: any handler reaching Docker fails fast instead of touching the CI's engine.
    DOCKER_HOST: `unix://${path.join(work, 'no-docker.sock')}`,
  };
  const secrets = new EncryptedFileSecretStore(
    path.join(config, 'dify-stack-tray', 'secrets.json'),
    testCipher(),
  );
  services = await createServices({ platform: 'linux', env, homedir: work, secrets });
  // Some state worth protecting: a Dify URL, a registered plugin folder, a stored password.
  await services.settings.update({ difyUrl: 'http://dify.test' });
  await services.plugins.addProject(path.join(work, 'plugin-a'));
  await secrets.set(DIFY_LOGIN_SECRET, JSON.stringify({ origin: 'http://dify.test', password: 'pw' }));
  const handlers = createInvokeHandlers(services, {
    openExternal: async (url) => void adapterCalls.push(`openExternal ${url}`),
    pickFolder: async () => (adapterCalls.push('pickFolder'), null),
    saveTextFile: async (name) => (adapterCalls.push(`saveTextFile ${name}`), null),
    appInfo: () => ({ version: '0.0.0', platform: 'linux', systemLocale: 'en-US' }),
  });
  unregister = registerIpc(handlers, { appEntryUrl: APP_ENTRY_URL, platform: 'linux' });
});

afterAll(async () => {
  unregister();
  await services?.dispose();
  rmSync(work, { recursive: true, force: true });
});

describe('every invoke channel, fuzzed through ipc.ts', () => {
  it('registers one handler per contract channel, over an app-data folder with state to protect', () => {
    expect([...ipc.handlers.keys()].sort()).toEqual(INVOKE_CHANNELS.map(invokeIpcName).sort());
    const files = Object.keys(tree(work)).map((file) => file.split(path.sep).join('/'));
    expect(files).toEqual(
      expect.arrayContaining(['config/dify-stack-tray/settings.json', 'config/dify-stack-tray/secrets.json']),
    );
    expect(services.plugins.registeredDirs()).toEqual([path.join(work, 'plugin-a')]);
  });

  for (const channel of INVOKE_CHANNELS) {
    it(`${channel}: refuses what its schema refuses, throws nothing, changes nothing`, async () => {
      const schema = invokeContract[channel].input;
      // dispatchInvoke reads a missing argument as {}: whatever that parses to is a valid call.
      const refused = (input: unknown) => !schema.safeParse(input === undefined ? {} : input).success;
      const before = tree(work);
      const jobsBefore = services.jobs.list().length;
      await fc.assert(
        // fc.pre, not a filter: a channel whose schema takes (nearly) anything fails here with "too
        // many skipped runs" instead of looping for ever — a channel should validate what it gets.
        fc.asyncProperty(hostile, async (input) => {
          fc.pre(refused(input));
          const answer = await call(channel, ourFrame, input);
          expect(answer).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
          expect(typeof (answer as { error: { message: unknown } }).error.message).toBe('string');
        }),
        { numRuns: 100 },
      );
      expect(tree(work)).toEqual(before);
      expect(services.jobs.list()).toHaveLength(jobsBefore);
      expect(adapterCalls).toEqual([]);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });
  }

  it('refuses every channel from a frame that is not our page, whatever the input', async () => {
    const before = tree(work);
    for (const channel of INVOKE_CHANNELS) {
      for (const frame of foreignFrames) {
        for (const input of [undefined, {}, { dir: path.join(work, 'plugin-a') }]) {
          await expect(call(channel, frame, input)).resolves.toMatchObject({
            ok: false,
            error: { code: 'FORBIDDEN_SENDER' },
          });
        }
      }
    }
    expect(tree(work)).toEqual(before);
    expect(services.jobs.list()).toHaveLength(0);
    expect(adapterCalls).toEqual([]);
  });
});
