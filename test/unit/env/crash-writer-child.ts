/**
 * Child process for the crash-safety test: rewrites one file atomically in a loop, alternating two
 * large contents, until the parent kills it. Prints "writing" once the loop runs.
 */
import { writeFileAtomic } from '../../../electron/env/atomic-write';

const [file, size] = process.argv.slice(2);
const bytes = Number(size);
const contents = [Buffer.alloc(bytes, 'A'), Buffer.alloc(bytes, 'B')];

async function main(): Promise<void> {
  process.stdout.write('writing\n');
  for (let i = 0; ; i++) await writeFileAtomic(file as string, contents[i % 2] as Buffer);
}

void main();
