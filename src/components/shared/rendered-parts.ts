import { useCallback, useEffect, useLayoutEffect, useState } from 'react';

/** The ids of the optional parts rendered right now, by part name (e.g. `{ urlLabel: ':r1:-url-label' }`). */
export type RenderedParts = Readonly<Partial<Record<string, string>>>;

/** Registers a part's id while it is rendered; returns the unregister. */
export type RegisterPart = (part: string, id: string) => () => void;

/**
 * Which optional parts with an id (a visible label, an error line) are rendered, so a control
 * points `aria-labelledby` / `aria-describedby` only at elements that exist. A part registers
 * with `useRegisterPart`; the ids are those really rendered, a user's own `id` included.
 *
 * @example
 * const [parts, register] = useRenderedParts();
 * <input {...nameFrom(parts.label, 'Image URL')} aria-describedby={parts.error} />
 */
export function useRenderedParts(): [RenderedParts, RegisterPart] {
  const [parts, setParts] = useState<RenderedParts>({});
  const register = useCallback<RegisterPart>((part, id) => {
    setParts((current) => (current[part] === id ? current : { ...current, [part]: id }));
    return () =>
      setParts((current) => {
        if (current[part] !== id) return current;
        const next: Partial<Record<string, string>> = { ...current };
        delete next[part];
        return next;
      });
  }, []);
  return [parts, register];
}

/*
 * Registered before the browser paints (a layout effect), so a control's first painted name is
 * already its visible label's, as assistive tech and tests reading right after mount see it. On
 * the server, where layout effects do nothing (React 18 warns), a plain effect.
 */
const useBeforePaint = typeof document === 'undefined' ? useEffect : useLayoutEffect;

/** Keeps `id` registered as `part` while the calling part is rendered with one; nothing when `id` is falsy. */
export function useRegisterPart(register: RegisterPart, part: string, id: string | false | null | undefined): void {
  useBeforePaint(() => (id ? register(part, id) : undefined), [register, part, id]);
}

/**
 * A control's accessible name: its rendered visible label (`aria-labelledby`), so the name is the
 * text people see (WCAG 2.5.3), or `fallback` as `aria-label` when no label part is rendered.
 * An app's own `aria-label` or `aria-labelledby` on the control (`own`, its props) wins: nothing
 * is added then, as `aria-labelledby` would silently override the app's `aria-label`.
 */
export function nameFrom(
  labelId: string | undefined,
  fallback: string,
  own?: { 'aria-label'?: string | undefined; 'aria-labelledby'?: string | undefined },
): { 'aria-labelledby'?: string; 'aria-label'?: string } {
  if (own?.['aria-label'] !== undefined || own?.['aria-labelledby'] !== undefined) return {};
  return labelId ? { 'aria-labelledby': labelId } : { 'aria-label': fallback };
}
