#!/usr/bin/env node
// Scan what we publish (dist/) and host (storybook-static/) for anything that looks like a key.
// Usage: node scripts/scan-secrets.mjs [dir …]   (default: dist and storybook-static, where present)
// Exits 1 listing file:line for every hit; prints what it scanned either way.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = process.cwd();
const args = process.argv.slice(2);
const targets = (args.length ? args : ['dist', 'storybook-static']).filter((dir) => {
  if (existsSync(join(root, dir))) return true;
  if (args.length) {
    console.error(`scan-secrets: ${dir} does not exist`);
    process.exit(2);
  }
  return false;
});
if (!targets.length) {
  console.error('scan-secrets: nothing to scan (run the build first: dist/ is missing)');
  process.exit(2);
}

/** Bytes we do not read as text: images, fonts, archives. A key in them would not be readable anyway. */
const BINARY = /\.(png|jpe?g|gif|webp|avif|ico|woff2?|ttf|otf|eot|gz|br|zip|wasm)$/i;

const patterns = [
  { name: 'PixelDojo key', regex: /pd_[A-Za-z0-9]{16,}/ },
  { name: 'Bearer PixelDojo key', regex: /Bearer\s+pd_/ },
  // An assignment with a value (the name alone, as in docs, is fine).
  { name: 'PIXELDOJO_API_KEY with a value', regex: /PIXELDOJO_API_KEY\s*=\s*["']?(?!["'\s]|\$|<|\.\.\.|…)[^\s"'`]{4,}/ },
  { name: 'private key block', regex: /-----BEGIN ((RSA|EC|DSA|OPENSSH|ENCRYPTED|PGP) )?PRIVATE KEY( BLOCK)?-----/ },
];
const envKey = process.env.PIXELDOJO_API_KEY;
if (envKey && envKey.length >= 8) patterns.push({ name: 'the value of $PIXELDOJO_API_KEY', literal: envKey });

function* walk(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(path);
    else if (entry.isFile()) yield path;
  }
}

const hits = [];
let files = 0;
let bytes = 0;
let skipped = 0;
for (const target of targets) {
  for (const file of walk(join(root, target))) {
    if (BINARY.test(file)) {
      skipped++;
      continue;
    }
    files++;
    bytes += statSync(file).size;
    const lines = readFileSync(file, 'utf8').split('\n');
    lines.forEach((line, index) => {
      for (const pattern of patterns) {
        const found = pattern.literal ? line.includes(pattern.literal) : pattern.regex.test(line);
        if (found) hits.push(`${relative(root, file)}:${index + 1}: ${pattern.name}`);
      }
    });
  }
}

const checks = patterns.map((p) => p.name).join('; ');
console.log(`scan-secrets: scanned ${files} files (${(bytes / 1024).toFixed(0)} kB) in ${targets.join(', ')}; ${skipped} binary files skipped`);
console.log(`scan-secrets: looked for ${checks}${envKey ? '' : ' ($PIXELDOJO_API_KEY is not set, so not that)'}`);
if (hits.length) {
  console.error(`scan-secrets: ${hits.length} possible secret${hits.length === 1 ? '' : 's'} found:`);
  for (const hit of hits) console.error(`  ${hit}`);
  process.exit(1);
}
console.log('scan-secrets: no key or secret found');
