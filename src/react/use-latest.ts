import { useInsertionEffect, useRef, type RefObject } from 'react';

/**
 * A ref that always holds the latest value, so callbacks passed as options never go stale
 * and never need to be dependencies of an effect.
 */
export function useLatest<T>(value: T): RefObject<T> {
  const ref = useRef(value);
  useInsertionEffect(() => {
    ref.current = value;
  });
  return ref;
}
