/**
 * What the render benches share: the built renderer (dist/renderer) served by the app's own app://
 * handler with its CSP, in Debian's Chromium without a GPU, with the page's errors collected; and
 * the page-side bridge object a stub puts on `window` in place of the preload's. Nothing here runs
 * in the app.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { serveStatic } from '../../test/e2e/harness';
import { CHROMIUM_PATH } from '../../test/helpers/docker-available';

const RENDERER = resolve(__dirname, '../../dist/renderer');

export interface StubPage {
  page: Page;
  /** Page errors and console errors seen so far (a bench fails with any). */
  errors: string[];
  /** The page's server, for `page.goto`. */
  url: string;
  close(): Promise<void>;
}

/** A fresh Chromium page for the built renderer; `args` are added to the usual headless ones. */
export async function openStubPage(options: {
  viewport: { width: number; height: number };
  args?: readonly string[];
}): Promise<StubPage> {
  if (!existsSync(resolve(RENDERER, 'index.html'))) {
    throw new Error(`${RENDERER} is missing: run \`npm run build\` first`);
  }
  const server = await serveStatic(RENDERER);
  const browser = await chromium
    .launch({
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--disable-background-networking',
        ...(options.args ?? []),
      ],
    })
    .catch(async (e: unknown) => {
      await server.close();
      throw e;
    });
  const close = async () => {
    await browser.close();
    await server.close();
  };
  try {
    const page = await browser.newPage({ viewport: options.viewport, deviceScaleFactor: 1 });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    return { page, errors, url: server.url, close };
  } catch (e) {
    await close();
    throw e;
  }
}

/**
 * Page-side JS: `window[bridgeKey]` as the preload exposes it (`invoke`, `on`), answering from an
 * `answers` object of channel → function and keeping listeners in a `listeners` Map, both of which
 * the surrounding stub script defines. `stub` names the stub in a refusal's message.
 */
export function bridgeObjectScript(bridgeKey: string, stub: string): string {
  return `window[${JSON.stringify(bridgeKey)}] = Object.freeze({
      invoke: async (channel, input) => {
        const answer = answers[channel];
        return answer
          ? { ok: true, value: answer(input) }
          : { ok: false, error: { code: 'INTERNAL', message: ${JSON.stringify(`not in the ${stub}: `)} + channel } };
      },
      on: (event, listener) => {
        if (!listeners.has(event)) listeners.set(event, new Set());
        listeners.get(event).add(listener);
        return () => listeners.get(event).delete(listener);
      },
    });`;
}

/**
 * Page-side JS every stub starts with: its fixture as `fx`, the event listeners (`listeners`, which
 * the bridge object fills) and `emit(event, payload)` delivering to them, as main's events would.
 */
export function stubPreludeScript(fixture: unknown): string {
  return `const fx = ${JSON.stringify(fixture)};
    const listeners = new Map();
    const emit = (event, payload) => {
      for (const listener of listeners.get(event) ?? []) listener(payload);
    };`;
}
