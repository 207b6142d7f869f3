// README's CLI reference, generated from the CLI's own help (commander) so it cannot drift from it:
//   npx tsx scripts/cli-reference.ts           print the reference
//   npx tsx scripts/cli-reference.ts --write   replace README's block between the markers
// test/unit/ship/cli-reference.test.ts fails when README's block differs from what this prints.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runProgram, type CliIo } from '../electron/cli/cli-program';

export const START_MARKER = '<!-- cli-reference:start (npx tsx scripts/cli-reference.ts --write) -->';
export const END_MARKER = '<!-- cli-reference:end -->';
const README = path.resolve(__dirname, '..', 'README.md');

/**
 * The help of one command as a Windows user in English sees it (the settings path in --config's
 * help comes from these), with no settings file to read a language from.
 */
async function helpOf(command: readonly string[]): Promise<string> {
  let out = '';
  const write = (text: string) => (out += text);
  const io: CliIo = {
    stdout: { write },
    stderr: { write },
    env: { LANG: 'en_US.UTF-8', APPDATA: 'C:\\Users\\you\\AppData\\Roaming' },
    platform: 'win32',
    homedir: 'C:\\Users\\you',
    cwd: 'C:\\Users\\you',
  };
  const code = await runProgram([...command, '--help'], io);
  if (code !== 0) throw new Error(`dify-stack ${command.join(' ')} --help exited ${code}:\n${out}`);
  return out;
}

/** The subcommands a help text lists under "Commands:", but `help` itself. */
function subcommandsOf(help: string): string[] {
  const section = /^Commands:\n((?: {2}.*\n?)+)/m.exec(help)?.[1] ?? '';
  return section
    .split('\n')
    .map((line) => /^ {2}(\S+)/.exec(line)?.[1])
    .filter((name): name is string => name !== undefined && name !== 'help');
}

/** Every command's help shows the global options again: the reference shows them once, at the top. */
function withoutGlobalOptions(help: string): string {
  return help.replace(/^Global options:\n(?: {2}.*\n)+\n?/m, '');
}

async function collect(command: string[], into: { command: string[]; help: string }[]) {
  const help = await helpOf(command);
  into.push({ command, help: command.length === 0 ? help : withoutGlobalOptions(help) });
  for (const sub of subcommandsOf(help)) await collect([...command, sub], into);
}

/** The Markdown block: one heading and one help text per command, in the order the CLI lists them. */
export async function cliReference(): Promise<string> {
  // commander wraps help at the terminal's width when stdout is one: the reference is always 80 wide.
  const stdout = process.stdout as { isTTY?: boolean; columns?: number };
  const columns = stdout.columns;
  if (stdout.isTTY) stdout.columns = 80;
  const entries: { command: string[]; help: string }[] = [];
  try {
    await collect([], entries);
  } finally {
    if (stdout.isTTY) stdout.columns = columns;
  }
  const sections = entries.map(({ command, help }) =>
    [`#### \`${['dify-stack', ...command].join(' ')}\``, '', '```text', help.trimEnd(), '```'].join('\n'),
  );
  return [START_MARKER, '', ...sections.flatMap((s) => [s, '']), END_MARKER].join('\n');
}

/** README's current block, markers included; null when the markers are missing. */
export function readmeReference(readme: string): string | null {
  const start = readme.indexOf(START_MARKER);
  const end = readme.indexOf(END_MARKER);
  if (start < 0 || end < start) return null;
  return readme.slice(start, end + END_MARKER.length);
}

async function main(): Promise<void> {
  const reference = await cliReference();
  if (!process.argv.includes('--write')) {
    process.stdout.write(`${reference}\n`);
    return;
  }
  const readme = readFileSync(README, 'utf8');
  const current = readmeReference(readme);
  if (current === null) throw new Error(`README.md has no ${START_MARKER} … ${END_MARKER} block`);
  writeFileSync(
    README,
    readme.replace(current, () => reference),
  );
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
