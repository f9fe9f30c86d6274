/** The `unstyled` prop every root part takes. */
export interface UnstyledProps {
  /**
   * Leave this part, and every part inside it, without the default look of `styles.css`
   * (for a design system that styles the `data-slot` parts itself). @default false
   */
  unstyled?: boolean | undefined;
}

/** `data-unstyled` on a root: every rule in styles.css skips that element and what is inside it. */
export function unstyledAttribute(unstyled: boolean | undefined): '' | undefined {
  return unstyled ? '' : undefined;
}
