import { type Browser, chromium, type Page } from 'playwright-core';

/** Debian's Chromium, headless, with nothing that reaches beyond this machine. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** How to sign in: a user's email and password, or (a string) the break-glass admin token. */
export type Credentials = string | { email: string; password: string };

/**
 * Signs in to the dashboard at `api` through its sign-in page, as a person would: the email and
 * password form, or the admin token's form beside it. The navigation's response.
 */
export async function signIn(page: Page, api: string, credentials: Credentials) {
  await page.goto(`${api}/dashboard/sign-in`);
  let form: string;
  if (typeof credentials === 'string') {
    form = 'form[data-form="admin-token"]';
    await page.fill('#token', credentials);
  } else {
    form = 'form[data-form="password"]';
    await page.fill('#email', credentials.email);
    await page.fill('#password', credentials.password);
  }
  const [response] = await Promise.all([page.waitForNavigation(), page.click(`${form} button[type=submit]`)]);
  return response;
}
