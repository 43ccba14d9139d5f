import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { inPage, launchBrowser, PASSWORD, screenshot, signUpThroughUi, storedToken } from '../helpers/browser';
import { startStack, type TestStack } from '../helpers/env';
import { signUp } from '../helpers/graphql';
import { seedVideo } from '../helpers/media';

describe('web app in Chromium', () => {
  let stack: TestStack;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let dir: string;

  before(async () => {
    [stack, browser, dir] = await Promise.all([startStack(), launchBrowser(), mkdtemp(join(tmpdir(), 'vp-web-'))]);
  });
  after(async () => {
    await browser?.close();
    await stack?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const fresh = async () => {
    await context?.close();
    context = await browser.newContext({ viewport: { width: 1200, height: 800 } });
    page = await context.newPage();
    return page;
  };

  it('signs up through the form, lands in an empty library, signs out and back in', async () => {
    await fresh();
    const email = await signUpThroughUi(page, stack.url, 'Grace');
    assert.equal(new URL(page.url()).pathname, '/');
    await page.getByText('You have no videos yet.').waitFor();
    await page.getByTestId('public-videos').getByText('No public videos yet.').waitFor();
    const token = await storedToken(page);
    assert.ok(token && token.split('.').length === 3, 'the token is kept under vp-token for GraphiQL');
    await screenshot(page, 'library-empty');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('link', { name: 'Sign in' }).first().waitFor();
    assert.equal(await storedToken(page), null);
    assert.equal(await page.getByTestId('mine-videos').count(), 0, 'no personal list when signed out');

    await page.getByRole('navigation', { name: 'Main' }).waitFor();
    await page.locator('.account').getByRole('link', { name: 'Sign in' }).click();
    await page.getByLabel('Email').fill(email.toUpperCase());
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('signed-in-as').filter({ hasText: 'Grace' }).waitFor();
  });

  it("shows the server's message for a wrong password and for a taken email", async () => {
    const { email } = await signUp(stack.url, 'Existing');
    await fresh();
    await page.goto(`${stack.url}/signin`);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    assert.match(await alert.innerText(), /\S/);
    assert.doesNotMatch(await alert.innerText(), /\[GraphQL\]|Error:/);
    assert.equal(await storedToken(page), null);

    await page.goto(`${stack.url}/signup`);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByLabel('Display name').fill('Dup');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('alert').waitFor();
    assert.equal(new URL(page.url()).pathname, '/signup');
  });

  it('can be used with the keyboard alone', async () => {
    const { email } = await signUp(stack.url, 'Keys');
    await fresh();
    await page.goto(`${stack.url}/signin`);
    await page.getByLabel('Email').focus();
    await page.keyboard.type(email);
    await page.keyboard.press('Tab');
    await page.keyboard.type(PASSWORD);
    await page.keyboard.press('Enter');
    await page.getByTestId('signed-in-as').filter({ hasText: 'Keys' }).waitFor();
    // Navigation moves focus to the new content; on a fresh load the skip link is the first stop.
    assert.equal(await inPage(page, 'document.activeElement.id'), 'main');
    await page.reload();
    await page.getByTestId('signed-in-as').waitFor();
    await page.keyboard.press('Tab');
    assert.equal(await inPage(page, 'document.activeElement.textContent'), 'Skip to content');
    await page.keyboard.press('Enter');
    assert.equal(await inPage(page, 'document.activeElement.id'), 'main');
    await page.keyboard.press('Tab');
    assert.equal(await inPage(page, 'document.activeElement.textContent'), 'Upload one', 'the empty state link is reachable');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Upload a video' }).waitFor();
  });

  it('asks to sign in again when the session expired, keeping the chosen file', async () => {
    await fresh();
    await page.goto(`${stack.url}/`);
    await inPage(page, "localStorage.setItem('vp-token', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.forged')");
    await page.goto(`${stack.url}/upload`);
    await page.getByRole('alert').filter({ hasText: 'session has expired' }).waitFor();
    const file = join(dir, 'holiday.mp4');
    writeFileSync(file, Buffer.alloc(1024, 1));
    await page.getByLabel('Video file').setInputFiles(file);
    await page.getByLabel('Title').fill('Holiday');
    assert.equal(await page.getByRole('button', { name: 'Sign in to upload' }).isDisabled(), true);

    const { email } = await signUp(stack.url, 'Returning');
    const region = page.getByRole('region', { name: 'Sign in to upload' });
    await region.getByText('Your file “holiday.mp4” stays selected.').waitFor();
    await region.getByLabel('Email').fill(email);
    await region.getByLabel('Password').fill(PASSWORD);
    await region.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('signed-in-as').filter({ hasText: 'Returning' }).waitFor();
    assert.equal(new URL(page.url()).pathname, '/upload', 'stays on the upload page');
    assert.equal(await page.getByLabel('Title').inputValue(), 'Holiday');
    assert.equal(await inPage(page, "document.querySelector('input[type=file]').files[0]?.name"), 'holiday.mp4');
    assert.equal(await page.getByRole('button', { name: 'Upload', exact: true }).isEnabled(), true);
  });

  it('shows not-found pages for unknown routes and unknown videos', async () => {
    await fresh();
    await page.goto(`${stack.url}/no/such/page`);
    await page.getByRole('heading', { name: 'Page not found' }).waitFor();
    await page.goto(`${stack.url}/watch/00000000-0000-4000-8000-000000000000`);
    await page.getByRole('heading', { name: 'Video not found' }).waitFor();
  });

  it('searches the public library by a word of the description and orders it by views', async () => {
    const minutesAgo = (n: number) => new Date(Date.now() - n * 60_000);
    const { userId } = await signUp(stack.url, 'Lister');
    await seedVideo(stack, { ownerId: userId, title: 'Morning swim', description: 'Cold lake at sunrise', viewCount: 12, createdAt: minutesAgo(3) });
    await seedVideo(stack, { ownerId: userId, title: 'Evening run', description: 'Along the lake shore', viewCount: 9, createdAt: minutesAgo(2) });
    await seedVideo(stack, { ownerId: userId, title: 'Bread baking', description: 'Sourdough at home', viewCount: 5, createdAt: minutesAgo(1) });
    await fresh();
    await page.goto(`${stack.url}/`);
    const list = page.getByTestId('public-videos');
    // A new search remounts the list (it shows "Loading…" first), so wait for the expected titles
    // themselves rather than for the old cards to go; on a timeout, show what was there instead.
    const titles = "JSON.stringify([...document.querySelectorAll('[data-testid=public-videos] .video-card .title')].map((e) => e.textContent))";
    const expectTitles = async (expected: string[], message: string) => {
      await page.waitForFunction(`${titles} === ${JSON.stringify(JSON.stringify(expected))}`, undefined, { timeout: 10_000 }).catch(async (err: unknown) => {
        assert.deepEqual(JSON.parse(await inPage(page, titles) as string), expected, message);
        throw err;
      });
    };
    await list.locator('.video-card').nth(2).waitFor();
    await list.getByLabel('Search public videos').fill('sunrise');
    await list.getByLabel('Search public videos').press('Enter');
    await expectTitles(['Morning swim'], 'only the video whose description has the word');
    await list.getByLabel('Search public videos').fill('lake');
    await list.getByRole('button', { name: 'Search' }).click();
    await expectTitles(['Evening run', 'Morning swim'], 'newest first');
    await list.getByLabel('Order').selectOption('MOST_VIEWED');
    await expectTitles(['Morning swim', 'Evening run'], 'most viewed first');
    await list.getByLabel('Search public videos').fill('zz');
    await list.getByLabel('Search public videos').press('Enter');
    await list.getByRole('alert').filter({ hasText: 'at least 3 letters' }).waitFor();
    await list.getByLabel('Search public videos').fill('submarine');
    await list.getByLabel('Search public videos').press('Enter');
    await list.getByText('No public video matches “submarine”.').waitFor();
  });

  it('keeps GraphiQL working at /graphql with the token the app saved', async () => {
    await fresh();
    await signUpThroughUi(page, stack.url, 'Explorer');
    await page.getByRole('link', { name: 'GraphiQL' }).click();
    await page.locator('.graphiql-container').waitFor();
    await inPage(page, "document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror.setValue('{ me { displayName } }')");
    await page.locator('.graphiql-execute-button').click();
    await page.locator('.graphiql-response').getByText('"Explorer"').waitFor();
  });
});
