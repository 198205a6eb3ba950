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

/** Signs in to the dashboard at `api` with `token`; the navigation's response. */
export async function signIn(page: Page, api: string, token: string) {
  await page.goto(`${api}/dashboard/sign-in`);
  await page.fill('#token', token);
  const [response] = await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
  return response;
}
