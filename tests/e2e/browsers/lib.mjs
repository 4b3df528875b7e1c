// Shared by the mixed-browser tests (run by run.sh in a network namespace): the media address
// run.sh gives the daemon, and Debian's firefox-esr through puppeteer-core (WebDriver BiDi) with
// fake camera and microphone.
import { require, fail } from '../web/lib.mjs';

export function mediaAddress() {
  const a = process.env.PLENUM_MEDIA_ADDRESS;
  if (!a) {
    console.error('FAIL: PLENUM_MEDIA_ADDRESS unset: run tests/e2e/browsers/run.sh, which makes the namespace');
    process.exit(1);
  }
  return a;
}

export async function launchFirefox(prefs = {}) {
  let puppeteer;
  try {
    puppeteer = require('puppeteer-core');
  } catch {
    fail('puppeteer-core missing: run npm ci in tests/e2e');
  }
  return puppeteer.launch({
    browser: 'firefox', protocol: 'webDriverBiDi', headless: true,
    executablePath: process.env.FIREFOX || '/usr/bin/firefox-esr',
    extraPrefsFirefox: { 'media.navigator.streams.fake': true, 'media.navigator.permission.disabled': true, ...prefs },
  });
}
