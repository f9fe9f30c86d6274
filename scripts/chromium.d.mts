/** `CHROMIUM_PATH`, else Debian's `/usr/bin/chromium`, else undefined (Playwright's own browser). */
export function chromiumExecutable(): string | undefined;
/** Headless, as root, on a closed network: no sandbox, no GPU, no background traffic. */
export const CHROMIUM_ARGS: readonly string[];
