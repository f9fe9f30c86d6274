#!/usr/bin/env node
// Renders the playground's reference portrait (an original illustration, no third-party
// photo) with Chromium and writes stories/assets/reference-portrait.jpg. Run it again only to
// change the picture: `node stories/assets/make-reference.mjs`.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const SIZE = 512;
const out = fileURLToPath(new URL('./reference-portrait.jpg', import.meta.url));
const executablePath =
  process.env.CHROMIUM_PATH ?? (existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined);

const svg = `
<svg xmlns="http://www.w3.org/2000/svg" width="${SIZE}" height="${SIZE}" viewBox="0 0 512 512">
  <defs>
    <radialGradient id="bg" cx="30%" cy="25%" r="90%">
      <stop offset="0" stop-color="#f3d9b8"/><stop offset="0.55" stop-color="#7fa5b8"/><stop offset="1" stop-color="#2f4858"/>
    </radialGradient>
    <radialGradient id="skin" cx="42%" cy="38%" r="70%">
      <stop offset="0" stop-color="#f6cfae"/><stop offset="0.6" stop-color="#d99e7a"/><stop offset="1" stop-color="#a86a4c"/>
    </radialGradient>
    <linearGradient id="hair" x1="0" y1="0" x2="1" y2="1">
      <stop offset="0" stop-color="#5a3522"/><stop offset="1" stop-color="#24140c"/>
    </linearGradient>
    <linearGradient id="coat" x1="0" y1="0" x2="0" y2="1">
      <stop offset="0" stop-color="#b5473a"/><stop offset="1" stop-color="#5e1f1a"/>
    </linearGradient>
    <radialGradient id="iris" cx="50%" cy="45%" r="50%">
      <stop offset="0" stop-color="#7bb0a0"/><stop offset="1" stop-color="#2d5a4e"/>
    </radialGradient>
    <filter id="soft"><feGaussianBlur stdDeviation="6"/></filter>
    <filter id="softer"><feGaussianBlur stdDeviation="1.2"/></filter>
    <filter id="grain"><feTurbulence type="fractalNoise" baseFrequency="0.9" numOctaves="2" seed="7"/>
      <feColorMatrix values="0 0 0 0 0.5  0 0 0 0 0.5  0 0 0 0 0.5  0 0 0 0.08 0"/></filter>
  </defs>
  <rect width="512" height="512" fill="url(#bg)"/>
  <circle cx="120" cy="110" r="70" fill="#fff6e0" opacity="0.35" filter="url(#soft)"/>
  <!-- shoulders and coat -->
  <path d="M60 512 C70 410 150 370 256 365 C362 370 442 410 452 512 Z" fill="url(#coat)"/>
  <path d="M215 370 L256 440 L297 370 Z" fill="#f0e6da"/>
  <!-- neck -->
  <path d="M218 300 L218 375 C235 392 277 392 294 375 L294 300 Z" fill="#c9876a"/>
  <ellipse cx="256" cy="330" rx="40" ry="14" fill="#8e5540" opacity="0.45" filter="url(#soft)"/>
  <!-- hair back -->
  <path d="M150 230 C140 120 200 70 262 72 C340 74 378 130 370 230 C372 290 350 330 340 345 L172 345 C160 320 150 290 150 230 Z" fill="url(#hair)"/>
  <!-- face -->
  <ellipse cx="256" cy="225" rx="88" ry="110" fill="url(#skin)"/>
  <ellipse cx="226" cy="185" rx="40" ry="55" fill="#fbe3cc" opacity="0.35" filter="url(#soft)"/>
  <!-- ears -->
  <ellipse cx="168" cy="230" rx="14" ry="24" fill="#cf906f"/><ellipse cx="344" cy="230" rx="14" ry="24" fill="#c0805f"/>
  <!-- hair front -->
  <path d="M166 200 C170 120 230 95 280 100 C330 108 352 150 348 200 C320 160 280 140 236 150 C205 158 185 178 166 200 Z" fill="url(#hair)"/>
  <!-- brows -->
  <path d="M205 188 C218 178 236 178 246 184" stroke="#3b2416" stroke-width="6" fill="none" stroke-linecap="round"/>
  <path d="M266 184 C276 178 294 178 307 188" stroke="#3b2416" stroke-width="6" fill="none" stroke-linecap="round"/>
  <!-- eyes -->
  <ellipse cx="226" cy="212" rx="17" ry="9" fill="#fbf7f2"/><ellipse cx="286" cy="212" rx="17" ry="9" fill="#fbf7f2"/>
  <circle cx="227" cy="212" r="7.5" fill="url(#iris)"/><circle cx="285" cy="212" r="7.5" fill="url(#iris)"/>
  <circle cx="227" cy="212" r="3.2" fill="#111"/><circle cx="285" cy="212" r="3.2" fill="#111"/>
  <circle cx="229" cy="210" r="1.6" fill="#fff"/><circle cx="287" cy="210" r="1.6" fill="#fff"/>
  <path d="M208 210 C218 200 236 200 244 209" stroke="#3b2416" stroke-width="2.5" fill="none"/>
  <path d="M268 209 C276 200 294 200 304 210" stroke="#3b2416" stroke-width="2.5" fill="none"/>
  <!-- nose -->
  <path d="M256 222 C252 240 246 255 250 262 C255 266 262 265 266 261" stroke="#a5674c" stroke-width="3" fill="none" stroke-linecap="round" filter="url(#softer)"/>
  <!-- cheeks -->
  <circle cx="212" cy="258" r="18" fill="#e7917a" opacity="0.35" filter="url(#soft)"/>
  <circle cx="300" cy="258" r="18" fill="#e7917a" opacity="0.35" filter="url(#soft)"/>
  <!-- mouth -->
  <path d="M232 286 C246 296 266 296 280 286 C268 302 244 302 232 286 Z" fill="#b4544a"/>
  <path d="M232 286 C246 290 266 290 280 286" stroke="#7c3530" stroke-width="2" fill="none"/>
  <rect width="512" height="512" filter="url(#grain)"/>
</svg>`;

const browser = await chromium.launch({
  executablePath,
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
});
try {
  const page = await browser.newPage({ viewport: { width: SIZE, height: SIZE } });
  await page.setContent(`<html><body style="margin:0">${svg}</body></html>`);
  await page.screenshot({ path: out, type: 'jpeg', quality: 82, clip: { x: 0, y: 0, width: SIZE, height: SIZE } });
  console.log(`wrote ${out}`);
} finally {
  await browser.close();
}
