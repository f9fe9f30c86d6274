#!/usr/bin/env node
// After `npm run build`: every export in package.json points at a built file, the React entry
// starts with 'use client' (Next.js App Router), and no entry but the React one pulls in React.
import { existsSync, readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
const problems = [];
for (const [entry, target] of Object.entries(pkg.exports)) {
  const files = typeof target === 'string' ? [target] : Object.values(target);
  for (const file of files) if (!existsSync(file)) problems.push(`${entry}: ${file} is missing`);
}
const index = readFileSync('dist/index.js', 'utf8');
if (!/^\s*["']use client["'];/.test(index)) problems.push("dist/index.js does not start with 'use client'");
for (const file of ['dist/core.js', 'dist/server.js', 'dist/testing.js']) {
  if (/from\s+["'](react|react-dom)["']/.test(readFileSync(file, 'utf8'))) problems.push(`${file} imports React`);
}
if (readFileSync('dist/styles.css', 'utf8').trim().length === 0) problems.push('dist/styles.css is empty');

if (problems.length) {
  console.error(problems.map((p) => `✖ ${p}`).join('\n'));
  process.exit(1);
}
console.log(`dist checks: ${Object.keys(pkg.exports).length} exports present, 'use client' kept, styles.css built`);
