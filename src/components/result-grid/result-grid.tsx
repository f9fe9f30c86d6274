import type { ReactNode } from 'react';
import type { Job } from '../../core/schemas.js';
import { useResultGridConfig } from './context.js';
import {
  ResultGridActions,
  ResultGridCopyLink,
  ResultGridDialog,
  ResultGridDialogClose,
  ResultGridDownload,
  ResultGridEmpty,
  ResultGridError,
  ResultGridExpired,
  ResultGridExpiryBadge,
  ResultGridImage,
  ResultGridItem,
  ResultGridList,
  ResultGridPlaceholder,
  ResultGridRetry,
  ResultGridRoot,
  ResultGridStatus,
  ResultGridTrigger,
  ResultGridUnavailable,
  ResultGridUseAsReference,
  type ResultGridRootProps,
} from './parts.js';
import type { ResultGridStatusValue } from './state.js';

/** The parts of `useCharacterGeneration`'s result the grid reads (pass the whole result). */
export interface ResultGridGeneration {
  /** The hook's status. */
  status: ResultGridStatusValue;
  /** The output image URLs. */
  images?: readonly string[] | undefined;
  /** The job, for its `expiresAt`. */
  job?: Pick<Job, 'expiresAt'> | null | undefined;
  /** The error of a failed generation. */
  error?: unknown;
}

export interface ResultGridItemsProps {
  /** Renders one item's content given its index. @default placeholder, image button, expired notice and actions */
  children?: ((index: number) => ReactNode) | undefined;
  /** Class name of every `ResultGrid.Item`. @default undefined */
  itemClassName?: string | undefined;
}

/**
 * One `ResultGrid.Item` per placeholder or image (as many as the grid shows in its state),
 * each with the default content unless `children` renders its own.
 *
 * @example
 * <ResultGrid.List><ResultGrid.Items /></ResultGrid.List>
 */
export function ResultGridItems({ children, itemClassName }: ResultGridItemsProps) {
  const { count } = useResultGridConfig();
  return (
    <>
      {Array.from({ length: count }, (_, index) => (
        <ResultGridItem key={index} index={index} className={itemClassName}>
          {children ? (
            children(index)
          ) : (
            <>
              <ResultGridPlaceholder />
              <ResultGridTrigger>
                <ResultGridImage />
              </ResultGridTrigger>
              <ResultGridExpired />
              <ResultGridUnavailable />
              <ResultGridActions>
                <ResultGridDownload />
                <ResultGridCopyLink />
                <ResultGridUseAsReference />
              </ResultGridActions>
            </>
          )}
        </ResultGridItem>
      ))}
    </>
  );
}

export interface ResultGridProps extends Omit<ResultGridRootProps, 'asChild' | 'children'> {
  /** A `useCharacterGeneration` result: its status, images, job expiry and error (explicit props win). @default undefined */
  generation?: ResultGridGeneration | undefined;
}

/**
 * Shows a generation's results: placeholders sized by the aspect ratio while the job runs, then
 * the images (each opens larger in a dialog, with Download, Copy link and Use as reference), an
 * expiry countdown, "Expired" cards once the URLs are gone, the failure with "Try again", and a
 * live region announcing each change. Props-driven: it fetches nothing itself.
 * Compose `ResultGrid.Root`, `.List`, `.Item`, … for a custom layout. Unstyled: import
 * `react-ideogram-character/styles.css` for the default look; without it the parts render bare
 * markup (each with `data-slot`, `data-state` and your `className`), boxes still sized inline.
 *
 * @example
 * const generation = useCharacterGeneration();
 * <ResultGrid generation={generation} prompt={input.prompt} count={input.numberOfImages}
 *   aspectRatio={input.aspect_ratio} onRetry={() => generation.generate(input)} />
 */
function ResultGridReady({ generation, status, images, expiresAt, error, ...props }: ResultGridProps) {
  return (
    <ResultGridRoot
      status={status ?? generation?.status}
      images={images ?? generation?.images}
      expiresAt={expiresAt ?? generation?.job?.expiresAt}
      error={error ?? generation?.error}
      {...props}
    >
      <ResultGridStatus />
      <ResultGridExpiryBadge />
      <ResultGridEmpty />
      <ResultGridError />
      <ResultGridList>
        <ResultGridItems />
      </ResultGridList>
      <ResultGridDialog />
    </ResultGridRoot>
  );
}

/** The ready grid, with its parts as properties for composition (`ResultGrid.Root`, `ResultGrid.Item`, …). */
export const ResultGrid = Object.assign(ResultGridReady, {
  Root: ResultGridRoot,
  Status: ResultGridStatus,
  ExpiryBadge: ResultGridExpiryBadge,
  Empty: ResultGridEmpty,
  Error: ResultGridError,
  Retry: ResultGridRetry,
  List: ResultGridList,
  Items: ResultGridItems,
  Item: ResultGridItem,
  Placeholder: ResultGridPlaceholder,
  Trigger: ResultGridTrigger,
  Image: ResultGridImage,
  Expired: ResultGridExpired,
  Unavailable: ResultGridUnavailable,
  Actions: ResultGridActions,
  Download: ResultGridDownload,
  CopyLink: ResultGridCopyLink,
  UseAsReference: ResultGridUseAsReference,
  Dialog: ResultGridDialog,
  DialogClose: ResultGridDialogClose,
});
