import type { SimulatorReference } from '../src/testing/index.js';
import portraitPath from './assets/reference-portrait.jpg';

const origin = typeof window === 'undefined' ? 'http://localhost:6006' : window.location.origin;

/** The stories' reference portrait, at an absolute URL on the Storybook origin. */
export const PORTRAIT = new URL(portraitPath, origin).href;

/**
 * The portrait's bytes, for a simulator's `readReference`: its images then show the person.
 * An SVG shown through `<img>` loads no linked image (Chromium draws its broken-image mark
 * instead), so the simulator embeds what this reads. Any other link is not read.
 */
export async function readPortrait(url: string): Promise<SimulatorReference | undefined> {
  if (url !== PORTRAIT) return undefined;
  const blob = await (await fetch(url)).blob();
  return { bytes: new Uint8Array(await blob.arrayBuffer()), contentType: blob.type || 'image/jpeg' };
}
