import type { Locator, Page } from 'playwright-core';
import { expect } from 'vitest';
import en from '../../resources/locales/en.json';

/** What the user reads in an element (layout-aware, whitespace collapsed). */
export async function text(locator: Locator): Promise<string> {
  return (await locator.innerText()).replace(/\s+/g, ' ').trim();
}

/** Top-level sections of the translation files: a visible "section.key" means a missing text. */
const SECTIONS = Object.keys(en).join('|');
const RAW_KEY = new RegExp(`\\b(?:${SECTIONS})\\.[A-Za-z_]+(?:\\.[A-Za-z_]+)*\\b`);

export async function expectNoRawKeys(page: Page): Promise<void> {
  const body = await page.locator('body').innerText();
  // Paths on screen (the settings file, Dify folders) may contain "settings.json" and the like.
  const words = body.split(/\s+/).filter((w) => !/[\\/]/.test(w));
  expect(words.find((w) => RAW_KEY.test(w)) ?? null).toBeNull();
  expect(body).not.toMatch(/\{\{\w+\}\}/);
}

/** A button by its exact accessible name. */
export const button = (page: Page, name: string): Locator => page.getByRole('button', { name, exact: true });

/** A page's entry in the sidebar navigation. */
export const nav = (page: Page, name: string): Locator =>
  page.getByRole('navigation').getByRole('button', { name, exact: true });
