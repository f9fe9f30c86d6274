import { useCallback, useRef, useState } from 'react';
import { useLatest } from '../../react/use-latest.js';

/**
 * State that is controlled when `value` is given and uncontrolled otherwise
 * (`value` / `defaultValue` / `onValueChange`, as Radix and React Aria do it).
 */
export function useControllableState<T>({
  value,
  defaultValue,
  onValueChange,
}: {
  value?: T | undefined;
  defaultValue: T;
  onValueChange?: ((next: T) => void) | undefined;
}): [T, (next: T | ((previous: T) => T)) => void] {
  const [inner, setInner] = useState(defaultValue);
  const controlled = value !== undefined;
  const current = controlled ? value : inner;
  const currentRef = useRef(current);
  currentRef.current = current;
  const onChange = useLatest(onValueChange);

  const setValue = useCallback(
    (next: T | ((previous: T) => T)) => {
      const resolved = typeof next === 'function' ? (next as (previous: T) => T)(currentRef.current) : next;
      if (Object.is(resolved, currentRef.current)) return;
      currentRef.current = resolved;
      if (!controlled) setInner(resolved);
      onChange.current?.(resolved);
    },
    [controlled, onChange],
  );
  return [current, setValue];
}
