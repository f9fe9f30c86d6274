import {
  useCallback,
  useEffect,
  useMemo,
  useRef,
  useState,
  type ComponentProps,
  type CSSProperties,
  type KeyboardEvent,
  type MouseEvent,
  type ReactNode,
} from 'react';
import type { AspectRatio, Resolution } from '../../core/schemas.js';
import { Slot } from '../shared/slot.js';
import { withDefaults } from '../shared/with-defaults.js';
import { useLatest } from '../../react/use-latest.js';
import {
  ResultGridConfigContext,
  ResultGridItemContext,
  ResultGridLiveContext,
  useResultGrid,
  useResultGridConfig,
  useResultGridItem,
  type ResultGridConfigValue,
  type ResultGridContextValue,
  type ResultGridItemContextValue,
  type ResultGridLiveValue,
} from './context.js';
import { defaultResultGridLabels, type ResultGridLabels } from './labels.js';
import {
  boxSize,
  errorMessage,
  formatRemaining,
  safeImages,
  toEpochMs,
  toResultGridState,
  type ResultGridState,
  type ResultGridStatusValue,
} from './state.js';
import { useHydrated, useIsPast, useRemaining } from './timers.js';
import { unstyledAttribute, type UnstyledProps } from '../shared/unstyled.js';

/** Under this much time left, the expiry badge carries `data-expiring-soon`. */
const EXPIRING_SOON_MS = 5 * 60_000;
/** How long the copy button says "Link copied". */
const COPIED_MS = 2000;

/* ------------------------------------------------------------------------------------------ */

export interface ResultGridRootProps extends Omit<ComponentProps<'div'>, 'onError'>, UnstyledProps {
  /** The generation's status: a `useCharacterGeneration` status or a grid state. @default 'idle' */
  status?: ResultGridStatusValue | undefined;
  /** Output image URLs; anything but an absolute http(s) URL is dropped, never rendered. @default [] */
  images?: readonly string[] | undefined;
  /** How many placeholders to show while the job runs (the requested `numberOfImages`). @default 1 */
  count?: number | undefined;
  /** Aspect ratio of the placeholders and image boxes. @default '1:1' */
  aspectRatio?: AspectRatio | undefined;
  /** An exact output size; overrides `aspectRatio` like it does upstream. @default 'None' */
  resolution?: Resolution | undefined;
  /** The prompt; becomes every image's `alt`. @default undefined (alt says "Generated image n of m") */
  prompt?: string | undefined;
  /** When the image URLs stop working (ISO string, epoch ms or Date). @default undefined (no badge) */
  expiresAt?: string | number | Date | undefined | null;
  /** Why the generation failed: an Error, a string or `{ message }`. @default undefined */
  error?: unknown;
  /** Called by "Try again" in the failed state; without it there is no such button. @default undefined */
  onRetry?: (() => void) | undefined;
  /** Called with an image URL by "Use as reference"; without it there is no such button. @default undefined */
  onUseAsReference?: ((url: string) => void) | undefined;
  /** Any visible or announced string, to translate. @default defaultResultGridLabels */
  labels?: Partial<ResultGridLabels> | undefined;
  /** Render the user's element instead of a `div`, with the part's props merged in. @default false */
  asChild?: boolean | undefined;
}

/**
 * Holds a grid's data and state for its parts; renders one `div` (`data-slot="result-grid"`).
 *
 * @example
 * <ResultGrid.Root status="completed" images={urls} prompt="a knight">
 *   <ResultGrid.Status />
 *   <ResultGrid.List>{urls.map((_, i) => <ResultGrid.Item key={i} index={i}>…</ResultGrid.Item>)}</ResultGrid.List>
 *   <ResultGrid.Dialog />
 * </ResultGrid.Root>
 */
export function ResultGridRoot({
  status,
  images,
  count = 1,
  aspectRatio,
  resolution,
  prompt,
  expiresAt,
  error,
  onRetry,
  onUseAsReference,
  labels: labelOverrides,
  asChild,
  unstyled,
  className,
  style,
  children,
  ...props
}: ResultGridRootProps) {
  const expiresAtMs = toEpochMs(expiresAt);
  const expired = useIsPast(expiresAtMs);
  const safe = useMemo(() => safeImages(images), [images]);
  // A job that expired (or was given up at the deadline) before it produced anything failed, as
  // far as the user can tell: show why and "Try again", not cards about images that never were.
  const state = status === 'expired' && safe.length === 0 ? 'failed' : toResultGridState(status, expired);
  const labels = useMemo(() => withDefaults(defaultResultGridLabels, labelOverrides), [labelOverrides]);
  const box = boxSize(aspectRatio, resolution);
  const wanted = Math.max(1, Math.floor(count) || 1);
  const shown =
    state === 'pending' ? wanted : state === 'completed' ? safe.length : state === 'expired' ? safe.length || wanted : 0;

  const [announcement, setAnnouncement] = useState<{ text: string; state: ResultGridState } | undefined>();
  const stateRef = useLatest(state);
  const announce = useCallback(
    (message: string) =>
      // Toggle a trailing no-break space so the same message twice is still a change to announce.
      setAnnouncement((previous) => ({
        text: previous?.text === message ? `${message}\u00a0` : message,
        state: stateRef.current,
      })),
    [stateRef],
  );

  const [openIndex, setOpenIndex] = useState<number | null>(null);
  const openerRef = useRef<HTMLElement | null>(null);
  const openImage = useCallback((index: number, opener: HTMLElement | null) => {
    openerRef.current = opener ?? (document.activeElement as HTMLElement | null);
    setOpenIndex(index);
  }, []);
  const closeImage = useCallback(() => setOpenIndex(null), []);
  // Nothing to show larger once the images are gone.
  const visibleOpenIndex = state === 'completed' && openIndex !== null && openIndex < safe.length ? openIndex : null;

  const retry = useLatest(onRetry);
  const useAsReferenceRef = useLatest(onUseAsReference);
  const hasRetry = onRetry !== undefined;
  const hasUseAsReference = onUseAsReference !== undefined;

  const config = useMemo<ResultGridConfigValue>(
    () => ({
      state,
      status,
      images: safe,
      count: shown,
      box,
      prompt: prompt?.trim() ? prompt : undefined,
      expiresAt: expiresAtMs,
      errorMessage: state === 'failed' ? (errorMessage(error) ?? labels.unknownError) : undefined,
      labels,
      onRetry: hasRetry ? () => retry.current?.() : undefined,
      onUseAsReference: hasUseAsReference ? (url: string) => useAsReferenceRef.current?.(url) : undefined,
      announce,
      openImage,
      closeImage,
      openerRef,
    }),
    // box is derived from aspectRatio/resolution; listing its parts keeps the memo stable.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [state, status, safe, shown, box.width, box.height, prompt, expiresAtMs, error, labels, hasRetry, hasUseAsReference, announce, openImage, closeImage, retry, useAsReferenceRef],
  );
  const live = useMemo<ResultGridLiveValue>(
    // An announcement lasts until the state changes.
    () => ({ announcement: announcement?.state === state ? announcement.text : undefined, openIndex: visibleOpenIndex }),
    [announcement, state, visibleOpenIndex],
  );

  const rootProps = {
    ...props,
    'data-slot': 'result-grid',
    'data-state': state,
    'data-unstyled': unstyledAttribute(unstyled),
    className,
    style: { '--ic-aspect-ratio': `${box.width} / ${box.height}`, ...style } as CSSProperties,
  };
  return (
    <ResultGridConfigContext.Provider value={config}>
      <ResultGridLiveContext.Provider value={live}>
        {asChild ? <Slot {...rootProps}>{children}</Slot> : <div {...rootProps}>{children}</div>}
      </ResultGridLiveContext.Provider>
    </ResultGridConfigContext.Provider>
  );
}

/* ------------------------------------------------------------------------------------------ */

export type ResultGridStatusProps = ComponentProps<'div'>;

function stateMessage(context: ResultGridContextValue): string {
  const { labels } = context;
  switch (context.state) {
    case 'pending':
      return labels.generating;
    case 'completed':
      return labels.completed;
    case 'failed':
      return `${labels.failed}: ${context.errorMessage}`;
    case 'expired':
      return labels.expired;
    default:
      return context.status === 'canceled' ? labels.canceled : '';
  }
}

/**
 * The live region (`role="status"`, polite): says "Generating…", "Completed", the error, and
 * confirmations such as "Link copied". Always rendered, so screen readers hear each change.
 *
 * @example
 * <ResultGrid.Status className="sr-only" />
 */
export function ResultGridStatus({ className, children, ...props }: ResultGridStatusProps) {
  const context = useResultGrid();
  return (
    <div
      role="status"
      aria-live="polite"
      aria-atomic="true"
      {...props}
      data-slot="result-grid-status"
      data-state={context.state}
      className={className}
    >
      {children ?? context.announcement ?? stateMessage(context)}
    </div>
  );
}

/* ------------------------------------------------------------------------------------------ */

export type ResultGridEmptyProps = ComponentProps<'p'>;

/**
 * The idle state's hint ("Generated images will appear here."); renders nothing otherwise.
 *
 * @example
 * <ResultGrid.Empty />
 */
export function ResultGridEmpty({ className, children, ...props }: ResultGridEmptyProps) {
  const { state, labels } = useResultGridConfig();
  if (state !== 'idle') return null;
  return (
    <p {...props} data-slot="result-grid-empty" data-state={state} className={className}>
      {children ?? labels.empty}
    </p>
  );
}

/* ------------------------------------------------------------------------------------------ */

export type ResultGridListProps = ComponentProps<'ul'>;

/**
 * The list of items (`ul`, named "Generated images"); renders nothing while there are no items.
 *
 * @example
 * <ResultGrid.List>{…items}</ResultGrid.List>
 */
export function ResultGridList({ className, children, ...props }: ResultGridListProps) {
  const { state, count, labels } = useResultGridConfig();
  if (count === 0) return null;
  return (
    <ul aria-label={labels.list} {...props} data-slot="result-grid-list" data-state={state} className={className}>
      {children}
    </ul>
  );
}

/* ------------------------------------------------------------------------------------------ */

export interface ResultGridItemProps extends ComponentProps<'li'> {
  /** 0-based position: which image (or placeholder) this item shows. */
  index: number;
  /** Render the user's element instead of an `li`. @default false */
  asChild?: boolean | undefined;
}

/**
 * One cell (`li`): a box with the job's aspect ratio (`aspect-ratio` inline), so a placeholder
 * and the image that replaces it take exactly the same space.
 *
 * @example
 * <ResultGrid.Item index={0}><ResultGrid.Placeholder /><ResultGrid.Trigger><ResultGrid.Image /></ResultGrid.Trigger></ResultGrid.Item>
 */
export function ResultGridItem({ index, asChild, className, style, children, ...props }: ResultGridItemProps) {
  const { state, images, box } = useResultGridConfig();
  const src = images[index];
  // The URL whose image failed to load (remembered by URL, so a new image gets a fresh chance).
  const [brokenSrc, setBrokenSrc] = useState<string | undefined>(undefined);
  const itemState: ResultGridState =
    state === 'completed' && !src ? 'idle' : state === 'completed' && src === brokenSrc ? 'failed' : state;
  const markBroken = useCallback(() => setBrokenSrc(src), [src]);
  const item = useMemo<ResultGridItemContextValue>(
    () => ({ index, src, state: itemState, inDialog: false, markBroken }),
    [index, src, itemState, markBroken],
  );
  const itemProps = {
    ...props,
    'data-slot': 'result-grid-item',
    'data-state': itemState,
    className,
    style: { aspectRatio: `${box.width} / ${box.height}`, ...style },
  };
  return (
    <ResultGridItemContext.Provider value={item}>
      {asChild ? <Slot {...itemProps}>{children}</Slot> : <li {...itemProps}>{children}</li>}
    </ResultGridItemContext.Provider>
  );
}

/* ------------------------------------------------------------------------------------------ */

export type ResultGridPlaceholderProps = ComponentProps<'div'>;

/**
 * Stands in for an image while the job runs (`role="img"`, "Generating image n of m");
 * renders nothing in other states.
 *
 * @example
 * <ResultGrid.Placeholder />
 */
export function ResultGridPlaceholder({ className, children, ...props }: ResultGridPlaceholderProps) {
  const { labels, count } = useResultGridConfig();
  const { index, state } = useResultGridItem();
  if (state !== 'pending') return null;
  return (
    <div
      role="img"
      aria-label={labels.placeholder(index + 1, count)}
      {...props}
      data-slot="result-grid-placeholder"
      data-state={state}
      className={className}
    >
      {children}
    </div>
  );
}

/* ------------------------------------------------------------------------------------------ */

export interface ResultGridTriggerProps extends ComponentProps<'button'> {
  /** Render the user's element instead of a `button`. @default false */
  asChild?: boolean | undefined;
}

/**
 * The button around an image that opens it larger in the dialog ("View image n of m larger");
 * renders nothing until the item has an image.
 *
 * @example
 * <ResultGrid.Trigger><ResultGrid.Image /></ResultGrid.Trigger>
 */
export function ResultGridTrigger({ asChild, className, children, onClick, ...props }: ResultGridTriggerProps) {
  const { labels, count, openImage } = useResultGridConfig();
  const { index, src, state, inDialog } = useResultGridItem();
  if (state !== 'completed' || !src || inDialog) return null;
  const triggerProps = {
    'aria-label': labels.openImage(index + 1, count),
    'aria-haspopup': 'dialog' as const,
    ...props,
    'data-slot': 'result-grid-trigger',
    'data-state': state,
    className,
    onClick: (event: MouseEvent<HTMLButtonElement>) => {
      onClick?.(event);
      if (!event.defaultPrevented) openImage(index, event.currentTarget);
    },
  };
  if (asChild) return <Slot {...(triggerProps as ComponentProps<typeof Slot>)}>{children}</Slot>;
  return (
    <button type="button" {...triggerProps}>
      {children}
    </button>
  );
}

/* ------------------------------------------------------------------------------------------ */

export type ResultGridImageProps = Omit<ComponentProps<'img'>, 'src'>;

/**
 * The image itself: `alt` is the prompt, lazy-loaded and decoded off the main thread (eager
 * inside the dialog). Only http(s) URLs are ever rendered; nothing renders otherwise. When it
 * fails to load, its item turns `failed` and `ResultGrid.Unavailable` takes its place.
 *
 * @example
 * <ResultGrid.Image className="rounded" />
 */
export function ResultGridImage({ className, alt, onError, ...props }: ResultGridImageProps) {
  const { labels, count, prompt, box } = useResultGridConfig();
  const { index, src, state, inDialog, markBroken } = useResultGridItem();
  if (state !== 'completed' || !src) return null;
  return (
    <img
      alt={alt ?? prompt ?? labels.imageAlt(index + 1, count)}
      loading={inDialog ? 'eager' : 'lazy'}
      decoding="async"
      width={box.width}
      height={box.height}
      {...props}
      src={src}
      data-slot="result-grid-image"
      data-state={state}
      className={className}
      onError={(event) => {
        onError?.(event);
        markBroken();
      }}
    />
  );
}

/* ------------------------------------------------------------------------------------------ */

export type ResultGridExpiredProps = ComponentProps<'div'>;

/**
 * Takes an image's place once its URL has expired: "Expired" and why, instead of a broken
 * image; renders nothing in other states.
 *
 * @example
 * <ResultGrid.Expired />
 */
export function ResultGridExpired({ className, children, ...props }: ResultGridExpiredProps) {
  const { labels } = useResultGridConfig();
  const { state } = useResultGridItem();
  if (state !== 'expired') return null;
  return (
    <div {...props} data-slot="result-grid-expired" data-state={state} className={className}>
      {children ?? (
        <>
          <strong data-slot="result-grid-expired-title">{labels.expired}</strong>
          <span data-slot="result-grid-expired-description">{labels.expiredDescription}</span>
        </>
      )}
    </div>
  );
}

/* ------------------------------------------------------------------------------------------ */

export type ResultGridUnavailableProps = ComponentProps<'div'>;

/**
 * Takes an image's place when it failed to load (its host may have removed it early): "Image
 * unavailable" and why, instead of a broken image; renders nothing otherwise.
 *
 * @example
 * <ResultGrid.Unavailable />
 */
export function ResultGridUnavailable({ className, children, ...props }: ResultGridUnavailableProps) {
  const { labels } = useResultGridConfig();
  const { state } = useResultGridItem();
  if (state !== 'failed') return null;
  return (
    <div {...props} data-slot="result-grid-unavailable" data-state={state} className={className}>
      {children ?? (
        <>
          <strong data-slot="result-grid-unavailable-title">{labels.unavailable}</strong>
          <span data-slot="result-grid-unavailable-description">{labels.unavailableDescription}</span>
        </>
      )}
    </div>
  );
}

/* ------------------------------------------------------------------------------------------ */

export type ResultGridActionsProps = ComponentProps<'div'>;

/**
 * Groups one image's actions (`role="group"`, named "Image n of m"); renders nothing until
 * the item has an image.
 *
 * @example
 * <ResultGrid.Actions><ResultGrid.Download /><ResultGrid.CopyLink /><ResultGrid.UseAsReference /></ResultGrid.Actions>
 */
export function ResultGridActions({ className, children, ...props }: ResultGridActionsProps) {
  const { labels, count } = useResultGridConfig();
  const { index, src, state } = useResultGridItem();
  if (state !== 'completed' || !src) return null;
  return (
    <div
      role="group"
      aria-label={labels.imageGroup(index + 1, count)}
      {...props}
      data-slot="result-grid-actions"
      data-state={state}
      className={className}
    >
      {children}
    </div>
  );
}

/* ------------------------------------------------------------------------------------------ */

export interface ResultGridDownloadProps extends Omit<ComponentProps<'a'>, 'href'> {
  /** Render the user's element (e.g. a styled link) instead of an `a`. @default false */
  asChild?: boolean | undefined;
}

/**
 * "Download": a link to the image with the `download` attribute. The images are cross-origin,
 * where browsers ignore `download`, so it also opens in a new tab.
 *
 * @example
 * <ResultGrid.Download />
 */
export function ResultGridDownload({ asChild, className, children, ...props }: ResultGridDownloadProps) {
  const { labels } = useResultGridConfig();
  const { src, state } = useResultGridItem();
  if (state !== 'completed' || !src) return null;
  const linkProps = {
    download: '',
    target: '_blank',
    rel: 'noopener noreferrer',
    ...props,
    href: src,
    'data-slot': 'result-grid-download',
    className,
  };
  if (asChild) return <Slot {...(linkProps as ComponentProps<typeof Slot>)}>{children}</Slot>;
  return <a {...linkProps}>{children ?? labels.download}</a>;
}

/* ------------------------------------------------------------------------------------------ */

export interface ResultGridCopyLinkProps extends ComponentProps<'button'> {
  /** Render the user's element instead of a `button`. @default false */
  asChild?: boolean | undefined;
}

/**
 * "Copy link": writes the image URL to the clipboard, then says "Link copied" on the button
 * (with `data-copied`) and in the live region; a refusal is announced too.
 *
 * @example
 * <ResultGrid.CopyLink />
 */
export function ResultGridCopyLink({ asChild, className, children, onClick, ...props }: ResultGridCopyLinkProps) {
  const { labels, announce } = useResultGridConfig();
  const { src, state } = useResultGridItem();
  const [copied, setCopied] = useState(false);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);
  if (state !== 'completed' || !src) return null;

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(src);
    } catch {
      announce(labels.copyFailed);
      return;
    }
    setCopied(true);
    announce(labels.linkCopied);
    clearTimeout(timer.current);
    timer.current = setTimeout(() => setCopied(false), COPIED_MS);
  };
  const buttonProps = {
    ...props,
    'data-slot': 'result-grid-copy-link',
    'data-copied': copied ? '' : undefined,
    className,
    onClick: (event: MouseEvent<HTMLButtonElement>) => {
      onClick?.(event);
      if (!event.defaultPrevented) void copy();
    },
  };
  if (asChild) return <Slot {...(buttonProps as ComponentProps<typeof Slot>)}>{children}</Slot>;
  return (
    <button type="button" {...buttonProps}>
      {children ?? (copied ? labels.linkCopied : labels.copyLink)}
    </button>
  );
}

/* ------------------------------------------------------------------------------------------ */

export interface ResultGridUseAsReferenceProps extends ComponentProps<'button'> {
  /** Render the user's element instead of a `button`. @default false */
  asChild?: boolean | undefined;
}

/**
 * "Use as reference": hands the image URL to `onUseAsReference` (and closes the dialog when
 * inside it); renders nothing when the grid has no `onUseAsReference`.
 *
 * @example
 * <ResultGrid.UseAsReference />
 */
export function ResultGridUseAsReference({ asChild, className, children, onClick, ...props }: ResultGridUseAsReferenceProps) {
  const { labels, onUseAsReference, announce, closeImage } = useResultGridConfig();
  const { src, state, inDialog } = useResultGridItem();
  if (state !== 'completed' || !src || !onUseAsReference) return null;
  const buttonProps = {
    ...props,
    'data-slot': 'result-grid-use-as-reference',
    className,
    onClick: (event: MouseEvent<HTMLButtonElement>) => {
      onClick?.(event);
      if (event.defaultPrevented) return;
      onUseAsReference(src);
      announce(labels.usedAsReference);
      if (inDialog) closeImage();
    },
  };
  if (asChild) return <Slot {...(buttonProps as ComponentProps<typeof Slot>)}>{children}</Slot>;
  return (
    <button type="button" {...buttonProps}>
      {children ?? labels.useAsReference}
    </button>
  );
}

/* ------------------------------------------------------------------------------------------ */

export type ResultGridExpiryBadgeProps = ComponentProps<'span'>;

/**
 * Counts down to `expiresAt` ("Expires in 12:34"), re-rendering at most once a second;
 * `data-expiring-soon` under five minutes. Rendered on the client only (never in server HTML,
 * where the time left would not match the browser's). Renders nothing without images or once expired
 * (the items say "Expired" then).
 *
 * @example
 * <ResultGrid.ExpiryBadge />
 */
export function ResultGridExpiryBadge({ className, children, ...props }: ResultGridExpiryBadgeProps) {
  const { state, expiresAt, labels } = useResultGridConfig();
  const hydrated = useHydrated();
  const active = hydrated && state === 'completed' && expiresAt !== undefined;
  const remaining = useRemaining(expiresAt, active);
  if (!active || remaining === undefined || remaining <= 0) return null;
  return (
    <span
      {...props}
      data-slot="result-grid-expiry-badge"
      data-state={state}
      data-expiring-soon={remaining < EXPIRING_SOON_MS ? '' : undefined}
      className={className}
    >
      {children ?? labels.expiresIn(formatRemaining(remaining))}
    </span>
  );
}

/* ------------------------------------------------------------------------------------------ */

export type ResultGridErrorProps = ComponentProps<'div'>;

/**
 * The failed state: "Generation failed", the reason and "Try again" (when `onRetry` is set);
 * renders nothing in other states.
 *
 * @example
 * <ResultGrid.Error />
 */
export function ResultGridError({ className, children, ...props }: ResultGridErrorProps) {
  const { state, labels, errorMessage: message } = useResultGridConfig();
  if (state !== 'failed') return null;
  return (
    <div {...props} data-slot="result-grid-error" data-state={state} className={className}>
      {children ?? (
        <>
          <strong data-slot="result-grid-error-title">{labels.failed}</strong>
          <span data-slot="result-grid-error-message">{message}</span>
          <ResultGridRetry />
        </>
      )}
    </div>
  );
}

export interface ResultGridRetryProps extends ComponentProps<'button'> {
  /** Render the user's element instead of a `button`. @default false */
  asChild?: boolean | undefined;
}

/**
 * "Try again": calls the grid's `onRetry`; renders nothing without it.
 *
 * @example
 * <ResultGrid.Retry />
 */
export function ResultGridRetry({ asChild, className, children, onClick, ...props }: ResultGridRetryProps) {
  const { state, labels, onRetry } = useResultGridConfig();
  if (!onRetry) return null;
  const buttonProps = {
    ...props,
    'data-slot': 'result-grid-retry',
    'data-state': state,
    className,
    onClick: (event: MouseEvent<HTMLButtonElement>) => {
      onClick?.(event);
      if (!event.defaultPrevented) onRetry();
    },
  };
  if (asChild) return <Slot {...(buttonProps as ComponentProps<typeof Slot>)}>{children}</Slot>;
  return (
    <button type="button" {...buttonProps}>
      {children ?? labels.retry}
    </button>
  );
}

/* ------------------------------------------------------------------------------------------ */

const FOCUSABLE = 'a[href], button:not([disabled]), input:not([disabled]), select, textarea, [tabindex]:not([tabindex="-1"])';

export interface ResultGridDialogProps extends ComponentProps<'dialog'> {
  /** The dialog's content; by default a close button, the image and its actions. */
  children?: ReactNode;
}

/**
 * Shows the chosen image larger in a native `<dialog>` opened with `showModal()` (named "Image
 * n of m"). Escape, the close button or a click on the backdrop closes it, and focus returns to
 * the image that opened it. Where `showModal` is missing it opens non-natively with the same
 * keyboard behaviour (Escape, Tab kept inside).
 *
 * @example
 * <ResultGrid.Dialog className="my-lightbox" />
 */
export function ResultGridDialog({ className, children, onKeyDown, onClick, onClose, ...props }: ResultGridDialogProps) {
  const { openIndex, images, count, labels, closeImage, openerRef, state } = useResultGrid();
  const ref = useRef<HTMLDialogElement>(null);
  const open = openIndex !== null;
  const wasOpen = useRef(false);

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    const native = typeof dialog.showModal === 'function';
    if (open) {
      if (native) {
        if (!dialog.open) dialog.showModal();
      } else {
        dialog.setAttribute('open', '');
        dialog.querySelector<HTMLElement>(FOCUSABLE)?.focus();
      }
      wasOpen.current = true;
    } else if (wasOpen.current) {
      wasOpen.current = false;
      if (native) {
        if (dialog.open) dialog.close();
      } else {
        dialog.removeAttribute('open');
      }
      const opener = openerRef.current;
      if (opener?.isConnected) opener.focus();
    }
  }, [open, openerRef]);

  const item = useMemo<ResultGridItemContextValue | null>(
    () => (openIndex === null ? null : { index: openIndex, src: images[openIndex], state, inDialog: true, markBroken: () => {} }),
    [openIndex, images, state],
  );

  const handleKeyDown = (event: KeyboardEvent<HTMLDialogElement>) => {
    onKeyDown?.(event);
    if (event.defaultPrevented) return;
    if (event.key === 'Escape') {
      event.preventDefault();
      closeImage();
    } else if (event.key === 'Tab' && typeof event.currentTarget.showModal !== 'function') {
      // Without a native modal, keep Tab inside the dialog.
      const focusable = [...event.currentTarget.querySelectorAll<HTMLElement>(FOCUSABLE)];
      const first = focusable[0];
      const last = focusable[focusable.length - 1];
      if (!first || !last) return;
      if (event.shiftKey && document.activeElement === first) {
        event.preventDefault();
        last.focus();
      } else if (!event.shiftKey && document.activeElement === last) {
        event.preventDefault();
        first.focus();
      }
    }
  };

  return (
    <dialog
      ref={ref}
      aria-label={openIndex === null ? undefined : labels.imageGroup(openIndex + 1, count)}
      aria-modal={open ? true : undefined}
      {...props}
      data-slot="result-grid-dialog"
      data-state={open ? 'open' : 'closed'}
      className={className}
      onKeyDown={handleKeyDown}
      onClick={(event) => {
        onClick?.(event);
        // A click on the dialog element itself (not its content) is a click on the backdrop.
        if (!event.defaultPrevented && event.target === event.currentTarget) closeImage();
      }}
      onClose={(event) => {
        onClose?.(event);
        closeImage();
      }}
    >
      {item && (
        <ResultGridItemContext.Provider value={item}>
          {children ?? (
            <>
              <ResultGridDialogClose />
              <ResultGridImage />
              <ResultGridActions>
                <ResultGridDownload />
                <ResultGridCopyLink />
                <ResultGridUseAsReference />
              </ResultGridActions>
            </>
          )}
        </ResultGridItemContext.Provider>
      )}
    </dialog>
  );
}

export interface ResultGridDialogCloseProps extends ComponentProps<'button'> {
  /** Render the user's element instead of a `button`. @default false */
  asChild?: boolean | undefined;
}

/**
 * "Close": closes the dialog (focus goes back to the image that opened it).
 *
 * @example
 * <ResultGrid.DialogClose />
 */
export function ResultGridDialogClose({ asChild, className, children, onClick, ...props }: ResultGridDialogCloseProps) {
  const { labels, closeImage } = useResultGridConfig();
  const buttonProps = {
    ...props,
    'data-slot': 'result-grid-dialog-close',
    className,
    onClick: (event: MouseEvent<HTMLButtonElement>) => {
      onClick?.(event);
      if (!event.defaultPrevented) closeImage();
    },
  };
  if (asChild) return <Slot {...(buttonProps as ComponentProps<typeof Slot>)}>{children}</Slot>;
  return (
    <button type="button" {...buttonProps}>
      {children ?? labels.close}
    </button>
  );
}
