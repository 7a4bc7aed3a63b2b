import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';

/**
 * The browser tests' screenshots (test-artifacts/, git-ignored). Every step's full page is
 * written only with TEST_SCREENSHOTS=1: ~100 full-page PNGs a run cost Chromium's renderer and
 * encoder CPU time that no assertion needs. Without it, a failed test still leaves a picture of
 * each page open when it failed (`failed-<test>-<n>.png`, by the browser test environment's
 * flag: test/support/browser-environment.js).
 */
export const EVERY_STEP = process.env.TEST_SCREENSHOTS === '1';

/** A step's full-page screenshot at `path`, when TEST_SCREENSHOTS=1. */
export async function screenshot(page: Page, path: string): Promise<void> {
  if (EVERY_STEP) await page.screenshot({ path, fullPage: true });
}

/** Registers an afterEach that, when the test failed, saves each open page of `browser()` in `dir`. */
export function screenshotsOnFailure(dir: string, browser: () => Browser | undefined): void {
  afterEach(async () => {
    const failed = (globalThis as { testFailed?: boolean }).testFailed;
    const b = browser();
    if (!failed || !b?.isConnected()) return;
    const name = (expect.getState().currentTestName ?? 'test').replace(/[^\w-]+/g, '-').slice(0, 80);
    mkdirSync(dir, { recursive: true });
    const pages = b.contexts().flatMap((c) => c.pages());
    await Promise.all(
      pages.map((page, i) =>
        page.screenshot({ path: join(dir, `failed-${name}-${i + 1}.png`), fullPage: true, timeout: 10_000 }).catch(() => undefined),
      ),
    );
  });
}
