import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

export const PASSWORD = 'correct horse battery';

/** Debian's Chromium (`apt-get install chromium`); playwright-core never downloads a browser. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`No Chromium at ${CHROMIUM}: install it with \`SETUP_BROWSER=1 npm run setup\` (apt-get install chromium) or set CHROMIUM_PATH`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-quic',
      '--no-first-run',
      '--autoplay-policy=no-user-gesture-required',
    ],
  });
}

const DOCS = resolve(__dirname, '../../../docs/screenshots');

/**
 * Saves a screenshot under docs/screenshots for the README, only when E2E_SCREENSHOTS=1,
 * so ordinary runs do not rewrite committed files.
 */
export async function screenshot(page: Page, name: string): Promise<void> {
  if (process.env.E2E_SCREENSHOTS !== '1') return;
  mkdirSync(DOCS, { recursive: true });
  await page.screenshot({ path: join(DOCS, `${name}.png`), fullPage: false });
}

// Runs in the page (kept as a string: the test build has no DOM types). Records every value each
// progress bar takes, as the DOM changes, so no intermediate value is missed between polls.
const RECORD_PROGRESS = `(() => {
  window.__progress = {};
  window.__progressText = {};
  const record = (el) => {
    const id = el.getAttribute('data-testid');
    const v = Number(el.getAttribute('aria-valuenow'));
    const t = el.getAttribute('aria-valuetext');
    if (!id) return;
    const list = (window.__progress[id] ??= []);
    if (list.at(-1) !== v) list.push(v);
    const texts = (window.__progressText[id] ??= []);
    if (texts.at(-1) !== t) texts.push(t);
  };
  new MutationObserver((muts) => {
    for (const m of muts) {
      if (m.target instanceof Element && m.target.getAttribute('role') === 'progressbar') record(m.target);
      for (const n of m.addedNodes) if (n instanceof Element) n.querySelectorAll('[role=progressbar]').forEach(record);
    }
  }).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['aria-valuenow', 'aria-valuetext'] });
})()`;

export async function watchProgressBars(page: Page): Promise<void> {
  await page.evaluate(RECORD_PROGRESS);
}

/** Every value (and text) each progress bar took since watchProgressBars, by data-testid. */
export function progressHistory(page: Page): Promise<{ values: Record<string, number[]>; texts: Record<string, string[]> }> {
  return page.evaluate('({ values: window.__progress, texts: window.__progressText })');
}

/** Evaluates a JavaScript expression in the page. */
export function inPage<T>(page: Page, expression: string): Promise<T> {
  return page.evaluate<T>(expression);
}

export const storedToken = (page: Page): Promise<string | null> => inPage(page, "localStorage.getItem('vp-token')");

/** Signs up through the app's form; returns the email. */
export async function signUpThroughUi(page: Page, url: string, name: string): Promise<string> {
  const email = `web${Date.now()}${Math.floor(Math.random() * 1e6)}@example.com`;
  await page.goto(`${url}/signup`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByLabel('Display name').fill(name);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByTestId('signed-in-as').filter({ hasText: name }).waitFor();
  return email;
}
