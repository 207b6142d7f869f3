/**
 * README's CLI reference is the CLI's own help: a command, option or description changed without
 * `npx tsx scripts/cli-reference.ts --write` fails here.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliReference, readmeReference } from '../../../scripts/cli-reference';

const README = readFileSync(path.resolve(__dirname, '../../../README.md'), 'utf8');

describe('README CLI reference', () => {
  it('is what the CLI’s help prints (regenerate: npx tsx scripts/cli-reference.ts --write)', async () => {
    const block = readmeReference(README);
    expect(block).not.toBeNull();
    expect(block).toBe(await cliReference());
  });

  it('covers every command and subcommand, each with its own help', async () => {
    const reference = await cliReference();
    const headings = [...reference.matchAll(/^#### `(.+)`$/gm)].map((m) => m[1]);
    for (const command of [
      'dify-stack',
      'dify-stack status',
      'dify-stack plugin install',
      'dify-stack plugin debug',
      'dify-stack env set',
      'dify-stack env restore',
      'dify-stack logs',
    ]) {
      expect(headings).toContain(command);
    }
    // Each subcommand's help without the global options, which the top-level help shows once.
    expect(reference.match(/^Global options:$/gm) ?? []).toHaveLength(0);
    expect(reference).toContain('--config <file>');
  });
});
