import { createContext, useContext } from 'react';
import type { ResultGridLabels } from './labels.js';
import type { ResultGridState, ResultGridStatusValue } from './state.js';

/** What every part reads; changes only with the grid's data and state (not per announcement). */
export interface ResultGridConfigValue {
  /** The grid's state (`completed` turns `expired` when `expiresAt` passes). */
  state: ResultGridState;
  /** The status as given (so `canceled` can be told apart from `idle`). */
  status: ResultGridStatusValue | undefined;
  /** Safe (http/https) image URLs. */
  images: string[];
  /** How many items the grid shows in its current state. */
  count: number;
  /** The box every item fills, in pixels (its ratio is what matters). */
  box: { width: number; height: number };
  /** The prompt, used as alt text. */
  prompt: string | undefined;
  /** When the images expire, epoch ms. */
  expiresAt: number | undefined;
  /** The error's message, in the failed state. */
  errorMessage: string | undefined;
  labels: ResultGridLabels;
  onRetry: (() => void) | undefined;
  onUseAsReference: ((url: string) => void) | undefined;
  /** Say something in the live region (until the state changes). */
  announce: (message: string) => void;
  openImage: (index: number, opener: HTMLElement | null) => void;
  closeImage: () => void;
  /** The element that opened the dialog, to get focus back. */
  openerRef: { current: HTMLElement | null };
}

/** What changes on interaction; only the live region and the dialog read it, so items do not re-render. */
export interface ResultGridLiveValue {
  /** The current live-region announcement that overrides the state message, if any. */
  announcement: string | undefined;
  /** Index of the image open in the dialog, or null. */
  openIndex: number | null;
}

/** Everything `useResultGrid` returns. */
export type ResultGridContextValue = ResultGridConfigValue & ResultGridLiveValue;

export const ResultGridConfigContext = createContext<ResultGridConfigValue | null>(null);
export const ResultGridLiveContext = createContext<ResultGridLiveValue>({ announcement: undefined, openIndex: null });

/** The nearest Root's data, for parts that must not re-render on announcements or the dialog. */
export function useResultGridConfig(): ResultGridConfigValue {
  const value = useContext(ResultGridConfigContext);
  if (!value) throw new Error('ResultGrid parts must be rendered inside <ResultGrid.Root>.');
  return value;
}

/**
 * The state of the nearest `ResultGrid.Root`, for building custom parts.
 *
 * @example
 * const { state, images, labels, openIndex } = useResultGrid();
 */
export function useResultGrid(): ResultGridContextValue {
  const config = useResultGridConfig();
  const live = useContext(ResultGridLiveContext);
  return { ...config, ...live };
}

export interface ResultGridItemContextValue {
  /** 0-based position of the item. */
  index: number;
  /** The item's image URL (http/https), when it has one. */
  src: string | undefined;
  /** The item's own state. */
  state: ResultGridState;
  /** True inside the dialog (images load eagerly there). */
  inDialog: boolean;
  /** Marks the item's image as failed to load (its state turns `failed`). */
  markBroken: () => void;
}

export const ResultGridItemContext = createContext<ResultGridItemContextValue | null>(null);

/**
 * The nearest `ResultGrid.Item` (or the open image inside `ResultGrid.Dialog`).
 *
 * @example
 * const { index, src, state } = useResultGridItem();
 */
export function useResultGridItem(): ResultGridItemContextValue {
  const value = useContext(ResultGridItemContext);
  if (!value) throw new Error('This ResultGrid part must be rendered inside <ResultGrid.Item> or <ResultGrid.Dialog>.');
  return value;
}
