import { useEffect, useRef, type FocusEvent } from 'react';

/**
 * For a button that goes away after its action or when its state ends (Cancel while a job runs,
 * Remove while there is an image): once it has had focus, remembers its component's root (`root`,
 * a selector); when `shown` turns false and focus fell back to the page, moves focus to the
 * first `next` (a selector) inside that root, so keyboard and screen-reader users keep their
 * place instead of starting again at the top. Returns the button's `onFocus` (calling `own`).
 */
export function useFocusHandOff(shown: boolean, root: string, next: string, own?: (event: FocusEvent<HTMLButtonElement>) => void) {
  const scope = useRef<Element | null>(null);
  useEffect(() => {
    const within = scope.current;
    if (shown || !within) return;
    scope.current = null;
    // Focus that moved on to something real stays where it is.
    const active = document.activeElement;
    if (!active || active === document.body) within.querySelector<HTMLElement>(next)?.focus();
  }, [shown, next]);
  return (event: FocusEvent<HTMLButtonElement>) => {
    own?.(event);
    scope.current = event.currentTarget.closest(root);
  };
}
