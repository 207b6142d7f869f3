// `npm run lint`'s Electron security scan: Doyensec's electronegativity over the app's source
// (electron/ and the renderer's index.html and src/), failing on any HIGH or MEDIUM finding and on any
// file it could not parse (an unparsed file is an unchecked file). A finding that is a false positive
// is suppressed where it occurs with electronegativity's own comment, `// eng-disable CHECK_ID`,
// followed by the reason.
//
// Why the JS API and not its CLI: the CLI (1.10.3) calls commander's pre-v7 API but does not depend on
// commander, so it picks up the app's commander 14 and dies ("version is not a function").
// Why one scan of a copy of both folders: its global checks (navigation limits, permission handler,
// CSP) weigh findings across the whole app — scanned alone, the renderer "has no navigation limits"
// because main.ts sets them.
// One check is left out: AvailableSecurityFixesGlobalCheck judges the Electron version it reads from
// package.json against a release list it downloads from GitHub (with no timeout). We scan source, not
// package.json, so it has nothing to judge; CI has no internet, where the download could only hang;
// and whether a newer Electron exists is a fact about the day, not about this code.
// Offline, it notes that it could not fetch its translations (a 1 s try); the English texts it ships
// are used.
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

const require = createRequire(import.meta.url);
const run = require('@doyensec/electronegativity');
const ROOT = path.resolve(import.meta.dirname, '..');
const SOURCES = ['electron', 'renderer/index.html', 'renderer/src'];
const FAILING = new Set(['HIGH', 'MEDIUM']);

const electronVersion = JSON.parse(
  await readFile(path.join(ROOT, 'node_modules/electron/package.json'), 'utf8'),
).version;

const dir = await mkdtemp(path.join(os.tmpdir(), 'electronegativity-'));
let result;
try {
  for (const source of SOURCES)
    await cp(path.join(ROOT, source), path.join(dir, source), { recursive: true });
  result = await run({
    input: dir,
    isRelative: true,
    electronVersionOverride: electronVersion,
    excludeFromScan: ['AvailableSecurityFixesGlobalCheck'],
  });
} finally {
  await rm(dir, { recursive: true, force: true });
}

const failing = result.issues.filter((issue) => FAILING.has(issue.severity.name));
const unparsed = result.errors.filter((error) => !error.tolerable);
for (const issue of failing) {
  const where = issue.file === 'N/A' ? '(whole app)' : `${issue.file}:${issue.location.line}`;
  console.log(`${issue.severity.name} ${issue.id} ${where}: ${issue.description} (${issue.shortenedURL})`);
}
for (const error of unparsed) console.log(`could not parse ${error.file}: ${error.message}`);
const others = result.issues.length - failing.length;
console.log(
  `electronegativity ${electronVersion}: ${result.globalChecks + result.atomicChecks} checks, ` +
    `${failing.length} high/medium finding(s), ${others} low/informational, ${unparsed.length} unparsed file(s)`,
);
if (failing.length > 0 || unparsed.length > 0) process.exitCode = 1;
