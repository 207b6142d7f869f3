/**
 * `dify-stack env get/set` output on hand-built reaches and previews: the value of a key no service
 * reads, and a write refused because the target file would be shadowed.
 */
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { registerEnvCommands, unreadValue, type EnvCliHost } from '../../../electron/cli/cli-env';
import { EXIT_FAILED, EXIT_OK } from '../../../electron/cli/cli-jobs';
import type { ChangePreview } from '../../../electron/env/contract';
import { computeKeyReach, type KeyReach } from '../../../electron/env/reach-model';
import type { AppServices } from '../../../electron/services';
import { snapOf } from '../env/reach-helpers';

const MAIL = 'MAIL_DEFAULT_SEND_FROM="Dify Bot <no-reply@example.com> # do not reply"\r\n';

function unread(): KeyReach {
  return computeKeyReach(
    'MAIL_DEFAULT_SEND_FROM',
    snapOf({ '.env': `LOG_LEVEL=INFO\r\n${MAIL}` }, {}),
    new Map([['.env', []]]),
    false,
  );
}

async function run(argv: string[], timeouts: Partial<AppServices['timeouts']>) {
  const out: string[] = [];
  const err: string[] = [];
  let code = -1;
  const host: EnvCliHost = {
    lang: 'en',
    t: (key, params) => `${key}${params ? JSON.stringify(params) : ''}`,
    out: (text) => out.push(text),
    err: (text) => err.push(text),
    printError: (e) => err.push(e.code),
    withServices: async (_cmd, fn) => {
      code = await fn({ timeouts } as unknown as AppServices);
    },
  };
  const program = new Command().exitOverride();
  registerEnvCommands(program, host);
  await program.parseAsync(argv, { from: 'user' });
  return { code, out, err };
}

describe('env get', () => {
  it('prints the value a file holds for a key no service reads, quotes removed, and says so on stderr', async () => {
    expect(unreadValue(unread())).toEqual({
      value: 'Dify Bot <no-reply@example.com> # do not reply',
      file: '.env',
    });
    const r = await run(['env', 'get', 'MAIL_DEFAULT_SEND_FROM'], { getKeys: async () => [unread()] });
    expect(r.code).toBe(EXIT_OK);
    expect(r.out).toEqual(['MAIL_DEFAULT_SEND_FROM=Dify Bot <no-reply@example.com> # do not reply']);
    expect(r.err).toEqual(['timeouts.cli.unreadKey{"key":"MAIL_DEFAULT_SEND_FROM","file":".env"}']);
  });
});

describe('env set into a shadowed file', () => {
  const preview: ChangePreview = {
    entries: [
      {
        key: 'FORCE_VERIFYING_SIGNATURE',
        old: 'true',
        fileOld: null,
        new: 'false',
        file: 'envs/core-services/plugin-daemon.env',
        createsFile: true,
        reason: 'chosen',
        readers: [],
        noEffect: {
          reason: 'environment',
          files: ['envs/core-services/plugin-daemon.env'],
          by: 'plugin_daemon',
          instead: '.env',
        },
      },
    ],
    errors: [],
    readers: [],
    upSet: ['plugin_daemon'],
    pending: ['plugin_daemon'],
    recreate: [],
    mode: 'readers',
    running: true,
    approximate: false,
  };
  const argv = [
    'env',
    'set',
    'FORCE_VERIFYING_SIGNATURE=false',
    '--file',
    'envs/core-services/plugin-daemon.env',
  ];

  it.each([[[]], [['--dry-run']]])('is refused with exit 1, nothing applied (%j)', async (extra) => {
    let applied = false;
    const r = await run([...argv, ...extra], {
      previewChanges: async () => preview,
      applyEnvChanges: (() => {
        applied = true;
        throw new Error('must not apply');
      }) as never,
    });
    expect(r.code).toBe(EXIT_FAILED);
    expect(applied).toBe(false);
    // The warning names the service whose environment: wins and where to set the key instead.
    expect(r.out.join('\n')).toContain(
      JSON.stringify('timeouts.noEffect.environment{"by":"plugin_daemon","instead":".env"}').slice(1, -1),
    );
    expect(r.out.join('\n')).toContain('timeouts.placement.chosen');
    expect(r.err.join('\n')).toContain('timeouts.cli.shadowedRefused');
  });

  it('--force --dry-run shows it and exits 0', async () => {
    const r = await run([...argv, '--force', '--dry-run'], { previewChanges: async () => preview });
    expect(r.code).toBe(EXIT_OK);
    expect(r.err).toEqual([]);
    expect(r.out.at(-1)).toBe('timeouts.cli.dryRun');
  });
});
