// The one place that says which Chromium the tests, the consumer test and the benches use,
// and with which flags (TOOLCHAIN.md: Debian's chromium on these machines, no network).
import { existsSync } from 'node:fs';

/** `CHROMIUM_PATH`, else Debian's `/usr/bin/chromium`, else undefined (Playwright's own browser). */
export function chromiumExecutable() {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  if (existsSync('/usr/bin/chromium')) return '/usr/bin/chromium';
  return undefined;
}

/** Headless, as root, on a closed network: no sandbox, no GPU, no background traffic. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];
