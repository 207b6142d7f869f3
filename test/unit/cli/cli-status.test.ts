import { describe, expect, it } from 'vitest';
import { peekCommand } from '../../../electron/cli/cli-args';
import { plainStatus } from '../../../electron/cli/cli-status';

describe('plainStatus: the command lines the quick status answers before commander', () => {
  it.each([
    [['status'], { json: false }],
    [['status', '--json'], { json: true }],
    [['--dify-dir', 'd', 'status', '--config=c.json'], { json: false, difyDir: 'd', config: 'c.json' }],
    [['status', '--dify-dir=C:\\dify docker', '--json'], { json: true, difyDir: 'C:\\dify docker' }],
  ])('%j', (argv, expected) => {
    expect(plainStatus(argv)).toEqual(expected);
  });

  it.each([
    [[]],
    [['up']],
    [['--json', 'status']], // a status option before the command is commander's usage error
    [['status', '--watch']],
    [['status', '--help']],
    [['status', '-h']],
    [['status', '--json', '--json']],
    [['status', 'status']],
    [['status', '--dify-dir']],
    [['status', '--dify-dir', '--json']],
    [['status', '--dify-dir=']],
    [['status', '--dify-dir', 'a', '--dify-dir', 'b']],
    [['status', '--bogus']],
    [['status', '--', 'x']],
    [['status', 'extra']],
  ])('%j goes to the command tree', (argv) => {
    expect(plainStatus(argv)).toBeNull();
  });
});

describe('peekCommand', () => {
  it.each([
    [['status', '--json'], 'status'],
    [['--config', 'plugin', 'status'], 'status'],
    [['--dify-dir=x', 'plugin', 'list'], 'plugin'],
    [['-h', 'status'], undefined],
    [['--', 'status'], undefined],
    [[], undefined],
  ])('%j → %s', (argv, expected) => {
    expect(peekCommand(argv)).toBe(expected);
  });
});
