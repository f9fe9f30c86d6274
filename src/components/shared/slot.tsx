import {
  Children,
  cloneElement,
  isValidElement,
  type HTMLAttributes,
  type ReactElement,
  type ReactNode,
  type Ref,
  type RefCallback,
} from 'react';

/** Joins refs so a part can keep its own ref and forward the user's. */
export function composeRefs<T>(...refs: Array<Ref<T> | undefined>): RefCallback<T> {
  return (node) => {
    for (const ref of refs) {
      if (typeof ref === 'function') ref(node);
      else if (ref) (ref as { current: T | null }).current = node;
    }
  };
}

type AnyProps = Record<string, unknown>;

/** Merge our props into the child's: handlers both run (child's first), classes and styles join. */
function mergeProps(slotProps: AnyProps, childProps: AnyProps): AnyProps {
  const merged: AnyProps = { ...slotProps, ...childProps };
  for (const key of Object.keys(slotProps)) {
    const ours = slotProps[key];
    const theirs = childProps[key];
    if (/^on[A-Z]/.test(key) && typeof ours === 'function' && typeof theirs === 'function') {
      merged[key] = (...args: unknown[]) => {
        (theirs as (...a: unknown[]) => void)(...args);
        const event = args[0] as { defaultPrevented?: boolean } | undefined;
        if (!event?.defaultPrevented) (ours as (...a: unknown[]) => void)(...args);
      };
    } else if (key === 'className' && ours && theirs) {
      merged[key] = `${String(ours)} ${String(theirs)}`;
    } else if (key === 'style' && ours && theirs) {
      merged[key] = { ...(ours as object), ...(theirs as object) };
    }
  }
  return merged;
}

export interface SlotProps extends HTMLAttributes<HTMLElement> {
  children?: ReactNode;
  ref?: Ref<HTMLElement>;
}

/**
 * Renders its only child with the part's props merged in: the `asChild` pattern, so a design
 * system can put its own element (a `Link`, its `Button`) where a part would render a DOM node.
 */
export function Slot({ children, ref, ...props }: SlotProps) {
  const child = Children.only(children);
  if (!isValidElement(child)) return null;
  const element = child as ReactElement<AnyProps & { ref?: Ref<HTMLElement> }>;
  const childRef = element.props.ref;
  return cloneElement(element, {
    ...mergeProps(props as AnyProps, element.props),
    ref: ref || childRef ? composeRefs(ref, childRef) : undefined,
  });
}
