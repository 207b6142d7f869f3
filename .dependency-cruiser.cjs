/**
 * The layering rules (README, "Layout"), checked by `npm run lint`:
 *   renderer/src → electron/contract types, bridge-key, core/presentation only
 *   electron/ top level (main, tray, contract, handlers, services, ipc…) and electron/cli/
 *     → capabilities (electron/<cap>/) → docker/ → core/
 * A capability reaches another only through its api.ts (calls) or contract.ts (data shapes).
 *
 * "Capability" is any folder under electron/ other than core, docker and cli, so a new capability
 * folder falls under the rules without editing this file. Paths are relative to the cruise's base
 * folder (the repo root, or a fixture root in test/unit/lint/layering.test.ts).
 */

/** electron/<cap>/…, capturing <cap> as $1 for the rules that compare two capabilities. */
const CAPABILITY = '^electron/((?!(?:core|docker|cli)/)[^/]+)/';
/** A file directly in electron/ (main.ts, tray.ts, contract.ts, handlers.ts, services.ts, …). */
const TOP_LEVEL = '^electron/[^/]+$';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment:
        'Import cycles make load order matter and layers meaningless. Type-only edges count too: ' +
        'move the shared shape into a contract.ts or an *-info module both sides can import.',
      from: { path: '^(electron|renderer)/' },
      to: { circular: true },
    },
    {
      name: 'core-imports-core-only',
      severity: 'error',
      comment:
        'electron/core/ is the bottom layer (jobs, errors, i18n, presentation): it imports nothing ' +
        'else from electron/ — no docker/, no capability, no cli/, no top-level file.',
      from: { path: '^electron/core/' },
      to: { path: '^electron/', pathNot: '^electron/core/' },
    },
    {
      name: 'docker-imports-core-only',
      severity: 'error',
      comment:
        'electron/docker/ (engine, compose, container logs) sits below the capabilities: it may use ' +
        'electron/core/, never a capability, cli/ or a top-level file.',
      from: { path: '^electron/docker/' },
      to: { path: '^electron/', pathNot: '^electron/(core|docker)/' },
    },
    {
      name: 'capability-through-api',
      severity: 'error',
      comment:
        "A capability uses another only through that one's api.ts (what it offers to call) or " +
        'contract.ts (data shapes); its services and internals may change without notice.',
      from: { path: CAPABILITY },
      to: {
        path: CAPABILITY,
        pathNot: ['^electron/$1/', '^electron/[^/]+/(api|contract)\\.ts$'],
      },
    },
    {
      name: 'capability-not-above',
      severity: 'error',
      comment:
        'Capabilities are assembled by the top level of electron/ (contract.ts, handlers.ts, ' +
        'services.ts, main.ts, tray.ts…) and driven by cli/; importing those back makes a cycle in ' +
        'the layers. Pass what you need in instead.',
      from: { path: CAPABILITY },
      to: { path: [TOP_LEVEL, '^electron/cli/'] },
    },
    {
      name: 'no-electron-below-main',
      severity: 'error',
      comment:
        'Only the top level of electron/ (main.ts, preload.ts, the tray adaptor) may import the ' +
        "'electron' module: everything in a folder also runs in the CLI, the tests and the E2E " +
        'harness. Pass Electron things in from main.ts as small interfaces.',
      from: { path: '^electron/[^/]+/' },
      to: { path: '(^|/)node_modules/electron/' },
    },
    {
      name: 'renderer-imports-contract-only',
      severity: 'error',
      comment:
        'The renderer talks to main only through the typed bridge. From electron/ it may import the ' +
        'contract (electron/contract.ts, electron/*/contract.ts), bridge-key.ts and the pure shared ' +
        'presentation rules (core/presentation.ts).',
      from: { path: '^renderer/src/' },
      to: {
        path: '^electron/',
        pathNot: [
          '^electron/contract\\.ts$',
          '^electron/[^/]+/contract\\.ts$',
          '^electron/bridge-key\\.ts$',
          '^electron/core/presentation\\.ts$',
        ],
      },
    },
    {
      name: 'renderer-contract-types-only',
      severity: 'error',
      comment:
        'The contract holds zod schemas for main; the renderer needs only their types. A value import ' +
        "would bundle the schemas (and zod) into the page: use 'import type'.",
      from: { path: '^renderer/src/' },
      to: {
        path: ['^electron/contract\\.ts$', '^electron/[^/]+/contract\\.ts$'],
        dependencyTypesNot: ['type-only'],
      },
    },
    {
      name: 'renderer-no-node-builtins',
      severity: 'error',
      comment: 'The renderer runs in a sandboxed browser page: Node built-ins are not there.',
      from: { path: '^renderer/src/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'electron-not-renderer',
      severity: 'error',
      comment: 'Main never imports the renderer; shared rules live in electron/core/presentation.ts.',
      from: { path: '^electron/' },
      to: { path: '^renderer/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Type-only imports are dependencies too: a cycle or a layer breach through `import type` still
    // couples the modules.
    tsPreCompilationDeps: true,
    // Absolute, so the same config also cruises the fixture trees of test/unit/lint/layering.test.ts.
    tsConfig: { fileName: `${__dirname}/tsconfig.json` },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
