import type { ComponentProps, CSSProperties } from 'react';

export interface ProgressBarProps extends ComponentProps<'div'> {
  /** How far along, 0–1; `null` when unknown (indeterminate: no `aria-valuenow`, no `--ic-progress`). */
  value: number | null;
  /** The accessible name (`aria-label`). */
  label: string;
  /** What a screen reader says instead of the percentage (`aria-valuetext`). @default undefined */
  valueText?: string | undefined;
}

/**
 * The one progress bar the parts share: `role="progressbar"` over 0–100 with the value in whole
 * percent, and the fraction (0–1) in `--ic-progress` for CSS. The caller's props come after these
 * (so a part can let its user override the ARIA, and put its own `data-slot` last), and its
 * `style` is merged over `--ic-progress`.
 *
 * @example
 * <ProgressBar value={0.42} label="Upload progress" data-slot="reference-uploader-progress" />
 */
export function ProgressBar({ value, label, valueText, style, ...rest }: ProgressBarProps) {
  return (
    <div
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={value === null ? undefined : Math.round(value * 100)}
      aria-valuetext={valueText}
      {...rest}
      style={(value === null ? style : { '--ic-progress': value, ...style }) as CSSProperties}
    />
  );
}
