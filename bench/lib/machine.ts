/** The machine and the versions a benchmark ran with, for the top of bench/RESULTS.md. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, totalmem, platform, release, arch } from 'node:os';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { chromiumExecutable } from './chromium.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Installed version of a package (read from its package.json on disk, exports maps aside). */
export function packageVersion(name: string): string {
  try {
    const require = createRequire(`${root}package.json`);
    // Some packages (lightningcss) do not export ./package.json: find the folder from the entry.
    let dir: string;
    try {
      dir = require.resolve(`${name}/package.json`).replace(/package\.json$/, '');
    } catch {
      dir = `${root}node_modules/${name}/`;
    }
    return (JSON.parse(readFileSync(`${dir}package.json`, 'utf8')) as { version: string }).version;
  } catch {
    return 'not installed';
  }
}

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  os: string;
  node: string;
  chromium: string;
}

/** CPU, cores, memory, OS, Node and the Chromium the browser benches launch. */
export function machineInfo(): MachineInfo {
  const list = cpus();
  let chromium: string;
  const executable = chromiumExecutable();
  if (executable) {
    try {
      chromium = execFileSync(executable, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch {
      chromium = `${executable} (version unreadable)`;
    }
  } else {
    chromium = "Playwright's bundled Chromium";
  }
  return {
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    cores: list.length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    os: `${platform()} ${release()} ${arch()}`,
    node: process.version,
    chromium,
  };
}

/** Packages whose versions decide the figures: ours' peers, the anchors and the tools. */
export const MEASURED_PACKAGES = [
  'react',
  'react-dom',
  '@tanstack/react-query',
  'zod',
  '@fal-ai/client',
  'replicate',
  '@ai-sdk/react',
  'esbuild',
  'lightningcss',
  'playwright',
  'autocannon',
  'jsdom',
] as const;
