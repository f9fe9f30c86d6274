/**
 * Follows an element's box, relative to `within` (so scrolling does not count), on every frame
 * until stopped, and returns every distinct box seen: one box means it never moved.
 */
export function trackBox(element: Element, within: Element): () => string[] {
  const seen = new Set<string>();
  let running = true;
  const sample = () => {
    const box = element.getBoundingClientRect();
    const origin = within.getBoundingClientRect();
    seen.add(`x ${box.left - origin.left}, y ${box.top - origin.top}, ${box.width} × ${box.height}`);
    if (running) requestAnimationFrame(sample);
  };
  sample();
  return () => {
    running = false;
    sample();
    return [...seen];
  };
}
