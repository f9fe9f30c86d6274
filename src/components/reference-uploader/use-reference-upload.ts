import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { isCharacterApiError } from '../../core/errors.js';
import { isHttpUrl, MAX_REFERENCE_BYTES, type ReferenceImageType } from '../../core/schemas.js';
import type { CharacterClient } from '../../core/types.js';
import { useCharacterGenerationContext } from '../../react/provider.js';
import { useLatest } from '../../react/use-latest.js';
import { useControllableState } from '../shared/use-controllable-state.js';
import { withDefaults } from '../shared/with-defaults.js';
import { decodeImage, downscaleImage, fitWithin, sniffImageType } from './image-checks.js';

/** Where the uploader is: nothing chosen, checking a file, uploading it, or holding a URL. */
export type ReferenceUploadStatus = 'empty' | 'checking' | 'uploading' | 'ready';

/** Why a file or URL was refused, or why an upload did not finish. */
export type ReferenceUploadErrorCode =
  | 'unsupported_type'
  | 'too_large'
  | 'too_small'
  | 'unreadable'
  | 'invalid_url'
  | 'uploads_unavailable'
  | 'upload_failed';

/** A refusal or failure, with a message written for the person choosing the image. */
export interface ReferenceUploadError {
  /** What went wrong, as a stable code to branch on. */
  code: ReferenceUploadErrorCode;
  /** The message to show (from `messages`). */
  message: string;
  /** For developers, not the UI: the error behind an `upload_failed` (e.g. the client's `network` error, with the URL and its own cause). */
  cause?: unknown;
}

/**
 * Every message the uploader shows about a file or URL; override any for translation. Messages
 * added after the first release are optional, so a full translation typed with this interface
 * keeps compiling when one is added; what it leaves out shows the default.
 */
export interface ReferenceUploadMessages {
  /** The file is not a JPEG, PNG or WebP (judged by its bytes). @default "This file isn't a JPEG, PNG or WebP image. …" */
  unsupportedType: string;
  /** The file is bigger than the limit, even after downscaling. @default ({ bytes, maxBytes }) => `This image is 12 MB, larger than the 10 MB limit. …` */
  tooLarge: (info: { bytes: number; maxBytes: number }) => string;
  /** The image's short edge is below the minimum. @default ({ width, height, minShortEdge }) => `This image is only 200 × 100 pixels. …` */
  tooSmall: (info: { width: number; height: number; minShortEdge: number }) => string;
  /**
   * The image is big enough, but so long for its width that downscaling it to `maxLongEdge` would
   * leave its short edge under the minimum (code `too_small`). Optional, as it came after the first
   * release: a translation without it shows this default.
   * @default ({ width, height, maxLongEdge, minShortEdge }) => `This image is too long and narrow (6000 × 300 pixels). Crop it to at most 8:1.`
   */
  tooNarrow?: (info: { width: number; height: number; scaledWidth: number; scaledHeight: number; minShortEdge: number; maxLongEdge: number }) => string;
  /** The file starts like an image but could not be decoded. @default "This image couldn't be opened. …" */
  unreadable: string;
  /** The URL is not an absolute http(s) URL. @default 'Enter a link that starts with http:// or https://.' */
  invalidUrl: string;
  /** There is no upload storage: only image links work. @default "Uploading files isn't available here. Paste a link to an image instead." */
  uploadsUnavailable: string;
  /** The upload failed for another reason (the server's, given as `reason`). @default ({ reason }) => `The upload didn't finish: ${reason} Try again.` */
  uploadFailed: (info: { reason: string }) => string;
  /**
   * The upload could not reach the server (offline, DNS, CORS: code `upload_failed`, the details in
   * `error.cause`). Optional, as it came after the first release.
   * @default 'Could not reach the server. Check your connection and try again.'
   */
  uploadUnreachable?: string;
}

/** Files up to this many times `maxBytes` are decoded, in case downscaling brings them under the limit. */
const DECODE_HEADROOM = 4;

/** A byte count as people read it: `10 MB`, `2.5 MB` (internal: the default messages and hint). */
export const megabytes = (bytes: number) => `${(bytes / (1024 * 1024)).toFixed(1).replace(/\.0$/, '')} MB`;

/** The default (English) messages. Each fits two lines of the ready layout at 360 px wide. */
export const defaultReferenceUploadMessages: Required<ReferenceUploadMessages> = {
  unsupportedType: "This file isn't a JPEG, PNG or WebP image. Choose a photo in one of those formats.",
  tooLarge: ({ bytes, maxBytes }) =>
    `This image is ${megabytes(bytes)}, larger than the ${megabytes(maxBytes)} limit. Choose a smaller file.`,
  tooSmall: ({ width, height, minShortEdge }) =>
    `This image is only ${width} × ${height} pixels. Choose one at least ${minShortEdge} pixels on each side.`,
  // The longest side it may have is maxLongEdge / minShortEdge times its short side (rounded down: advice that is safe to follow).
  tooNarrow: ({ width, height, minShortEdge, maxLongEdge }) =>
    `This image is too long and narrow (${width} × ${height} pixels). Crop it to at most ${Math.floor((maxLongEdge / minShortEdge) * 10) / 10}:1.`,
  unreadable: "This image couldn't be opened. It may be damaged; try another file.",
  invalidUrl: 'Enter a link that starts with http:// or https://.',
  uploadsUnavailable: "Uploading files isn't available here. Paste a link to an image instead.",
  uploadFailed: ({ reason }) => `The upload didn't finish: ${reason} Try again.`,
  uploadUnreachable: 'Could not reach the server. Check your connection and try again.',
};

export interface UseReferenceUploadOptions {
  /** The client whose `uploadReference` sends files. @default the nearest CharacterGenerationProvider's client; without either, only URLs work */
  client?: CharacterClient | undefined;
  /** The reference image URL (controlled); `''` means none. @default undefined (uncontrolled) */
  value?: string | undefined;
  /** The initial URL when uncontrolled. @default '' */
  defaultValue?: string | undefined;
  /** Called with the new URL after an upload, a valid link, or removal (`''`). @default undefined */
  onValueChange?: ((url: string) => void) | undefined;
  /** Whether files may be uploaded; `false` leaves URL mode only. @default true */
  allowUpload?: boolean | undefined;
  /** Refuse every change while true. @default false */
  disabled?: boolean | undefined;
  /** The largest file sent, in bytes; a bigger photo is accepted when downscaling brings it under. @default MAX_REFERENCE_BYTES (10 MB) */
  maxBytes?: number | undefined;
  /** The smallest allowed short edge, in pixels, of the image as uploaded (after downscaling to `maxLongEdge`). @default 256 */
  minShortEdge?: number | undefined;
  /** Images longer than this on their long edge are downscaled before upload. @default 2048 */
  maxLongEdge?: number | undefined;
  /** Messages shown for refusals and failures. @default defaultReferenceUploadMessages */
  messages?: Partial<ReferenceUploadMessages> | undefined;
  /** Called with every refusal or failure (besides being returned as `error`). @default undefined */
  onError?: ((error: ReferenceUploadError) => void) | undefined;
}

/** The limits a file is checked against, as in effect (the options, or their defaults). */
export interface ReferenceUploadLimits {
  /** The largest file sent, in bytes. */
  maxBytes: number;
  /** The smallest short edge, in pixels, of the image as uploaded. */
  minShortEdge: number;
  /** Longer images are downscaled to this many pixels on their long edge. */
  maxLongEdge: number;
}

export interface UseReferenceUploadResult {
  /** `empty`, `checking` (reading, decoding, downscaling), `uploading` or `ready`. */
  status: ReferenceUploadStatus;
  /** The current reference URL, `''` when none. */
  value: string;
  /** What to show as the preview: the local file while it uploads or once uploaded, else the URL; null when none. */
  previewUrl: string | null;
  /** Upload progress 0..1 while uploading, null when unknown or not uploading. */
  progress: number | null;
  /** The last refusal or failure; the previous valid image is kept. null when none. */
  error: ReferenceUploadError | null;
  /** False when uploads are off (`allowUpload={false}`) or the server has no upload storage. */
  uploadsAvailable: boolean;
  /** Where the current value came from: an uploaded `file`, a `url` typed or pasted, or null when empty. */
  source: 'file' | 'url' | null;
  /** The size of the image being uploaded or last uploaded (after downscaling), when known. */
  dimensions: { width: number; height: number } | null;
  /** True while `disabled`. */
  disabled: boolean;
  /** The limits in effect, e.g. to say what is accepted. */
  limits: ReferenceUploadLimits;
  /** Check a file (type, size, dimensions), downscale it if needed, and upload it. */
  selectFile(file: Blob): Promise<void>;
  /** Use an image URL; returns false (and sets `error`) when it is not http(s). */
  setUrl(url: string): boolean;
  /** Stop the current check or upload; the previous image stays. */
  cancel(): void;
  /** Clear the reference image (value becomes `''`). */
  remove(): void;
  /** Dismiss the current error. */
  clearError(): void;
}

interface LocalImage {
  blob: Blob;
  width: number;
  height: number;
}

/** An object URL for a blob, made in an effect and revoked when the blob changes or on unmount. */
function useObjectUrl(blob: Blob | null): string | null {
  const [entry, setEntry] = useState<{ blob: Blob; url: string } | null>(null);
  useEffect(() => {
    if (!blob || typeof URL.createObjectURL !== 'function') return;
    const url = URL.createObjectURL(blob);
    setEntry({ blob, url });
    return () => {
      URL.revokeObjectURL(url);
      setEntry((current) => (current?.url === url ? null : current));
    };
  }, [blob]);
  return entry && entry.blob === blob ? entry.url : null;
}

/**
 * The reference-image behaviour without any UI: checks a file by its bytes, size and
 * dimensions, downscales large images in the browser, uploads through the client with
 * progress and cancel, or takes an http(s) URL. The URL it ends with is the
 * `character_reference_image`.
 *
 * @example
 * const upload = useReferenceUpload({ client, onValueChange: (url) => setReference(url) })
 * <input type="file" onChange={(e) => e.target.files?.[0] && upload.selectFile(e.target.files[0])} />
 * {upload.progress !== null && <progress value={upload.progress} />}
 * {upload.error && <p role="alert">{upload.error.message}</p>}
 */
export function useReferenceUpload(options: UseReferenceUploadOptions = {}): UseReferenceUploadResult {
  const context = useCharacterGenerationContext();
  const client = options.client ?? context?.client ?? undefined;
  const {
    allowUpload = true,
    disabled = false,
    maxBytes = MAX_REFERENCE_BYTES,
    minShortEdge = 256,
    maxLongEdge = 2048,
  } = options;
  const [value, setValue] = useControllableState<string>({
    value: options.value,
    defaultValue: options.defaultValue ?? '',
    onValueChange: options.onValueChange,
  });
  const messagesRef = useLatest(withDefaults(defaultReferenceUploadMessages, options.messages));
  const onErrorRef = useLatest(options.onError);
  const clientRef = useLatest(client);

  const [busy, setBusy] = useState<'checking' | 'uploading' | null>(null);
  const [progress, setProgress] = useState<number | null>(null);
  const [error, setError] = useState<ReferenceUploadError | null>(null);
  const [serverHasStorage, setServerHasStorage] = useState(true);
  const [pending, setPending] = useState<LocalImage | null>(null);
  // The uploaded file, remembered with the URL it became: previewed locally while the value is that URL.
  const [uploaded, setUploaded] = useState<(LocalImage & { url: string }) | null>(null);
  const controllerRef = useRef<AbortController | null>(null);

  const uploadsAvailable = allowUpload && serverHasStorage && Boolean(client);
  const showUploaded = uploaded !== null && uploaded.url === value && value !== '';
  const pendingUrl = useObjectUrl(pending?.blob ?? null);
  const uploadedUrl = useObjectUrl(showUploaded ? uploaded.blob : null);

  const fail = useCallback(
    (next: ReferenceUploadError) => {
      setError(next);
      onErrorRef.current?.(next);
    },
    [onErrorRef],
  );

  /** Nothing in progress any more (a check or upload ended, or was stopped). */
  const settle = useCallback(() => {
    controllerRef.current = null;
    setBusy(null);
    setProgress(null);
    setPending(null);
  }, []);

  const stopCurrent = useCallback(() => {
    controllerRef.current?.abort();
    settle();
  }, [settle]);

  useEffect(() => () => controllerRef.current?.abort(), []);

  const selectFile = useCallback(
    async (file: Blob) => {
      if (disabled) return;
      const messages = messagesRef.current;
      const activeClient = clientRef.current;
      if (!allowUpload || !serverHasStorage || !activeClient) {
        fail({ code: 'uploads_unavailable', message: messages.uploadsUnavailable });
        return;
      }
      stopCurrent();
      const controller = new AbortController();
      controllerRef.current = controller;
      const current = () => controllerRef.current === controller && !controller.signal.aborted;
      setError(null);
      setBusy('checking');

      const refuse = (next: ReferenceUploadError) => {
        if (!current()) return;
        settle();
        fail(next);
      };

      const type = await sniffImageType(file).catch(() => null);
      if (!current()) return;
      if (!type) return refuse({ code: 'unsupported_type', message: messages.unsupportedType });
      // A file over the limit may still fit once downscaled, but one far over it is not worth decoding.
      if (file.size > maxBytes * DECODE_HEADROOM) {
        return refuse({ code: 'too_large', message: messages.tooLarge({ bytes: file.size, maxBytes }) });
      }

      let decoded;
      try {
        decoded = await decodeImage(file, { type, maxLongEdge });
      } catch {
        return refuse({ code: 'unreadable', message: messages.unreadable });
      }
      let toSend: Blob = file;
      let size = { width: decoded.width, height: decoded.height };
      try {
        if (!current()) return;
        if (Math.min(size.width, size.height) < minShortEdge) {
          return refuse({ code: 'too_small', message: messages.tooSmall({ ...size, minShortEdge }) });
        }
        // The minimum applies to what is uploaded: a 6000×300 panorama passes above but would be sent at 2048×102.
        const target = fitWithin(size.width, size.height, maxLongEdge);
        if (Math.min(target.width, target.height) < minShortEdge) {
          const scaled = { scaledWidth: target.width, scaledHeight: target.height };
          return refuse({ code: 'too_small', message: messages.tooNarrow({ ...size, ...scaled, minShortEdge, maxLongEdge }) });
        }
        if (Math.max(size.width, size.height) > maxLongEdge) {
          const smaller = await downscaleImage(decoded, type, target).catch(() => null);
          if (!current()) return;
          // Keep the original when the browser could not re-encode it; the upstream accepts it if small enough.
          if (smaller && (await sniffImageType(smaller)) !== null) {
            toSend = smaller;
            size = target;
          }
        }
      } finally {
        decoded.release();
      }
      if (!current()) return;
      if (toSend.size > maxBytes) {
        return refuse({ code: 'too_large', message: messages.tooLarge({ bytes: toSend.size, maxBytes }) });
      }

      const name = typeof File !== 'undefined' && file instanceof File ? file.name : `reference.${extensionOf(type)}`;
      const body = typeof File !== 'undefined' && toSend !== file ? new File([toSend], name, { type: toSend.type || type }) : toSend;
      const local: LocalImage = { blob: body, ...size };
      setPending(local);
      setBusy('uploading');
      setProgress(0);
      try {
        const result = await activeClient.uploadReference(body, {
          signal: controller.signal,
          onProgress: (fraction) => {
            if (current()) setProgress(Math.max(0, Math.min(1, fraction)));
          },
        });
        if (!current()) return;
        settle();
        setUploaded({ ...local, url: result.url });
        setValue(result.url);
      } catch (caught) {
        if (!current()) return;
        if (isCharacterApiError(caught) && caught.code === 'aborted') return settle();
        if (isCharacterApiError(caught) && caught.code === 'not_found') {
          setServerHasStorage(false);
          return refuse({ code: 'uploads_unavailable', message: messages.uploadsUnavailable });
        }
        // Only a server's own reason is shown. The client's network message names the URL, its
        // invalid_response message a JSON path, and a custom client's plain error is anything:
        // those are for developers (in `cause`), not for the person uploading.
        const reason = isCharacterApiError(caught) && caught.code !== 'invalid_response' ? caught.message : '';
        const message =
          (isCharacterApiError(caught) ? caught.code === 'network' : caught instanceof TypeError)
            ? messages.uploadUnreachable
            : messages.uploadFailed({ reason: reason ? ensureSentence(reason) : 'The server sent an unexpected answer.' });
        return refuse({ code: 'upload_failed', message, cause: caught });
      }
    },
    [disabled, allowUpload, serverHasStorage, maxBytes, minShortEdge, maxLongEdge, messagesRef, clientRef, fail, settle, stopCurrent, setValue],
  );

  const setUrl = useCallback(
    (url: string) => {
      if (disabled) return false;
      const trimmed = url.trim();
      if (!isHttpUrl(trimmed)) {
        fail({ code: 'invalid_url', message: messagesRef.current.invalidUrl });
        return false;
      }
      stopCurrent();
      setError(null);
      setValue(trimmed);
      return true;
    },
    [disabled, fail, messagesRef, stopCurrent, setValue],
  );

  const cancel = useCallback(() => stopCurrent(), [stopCurrent]);

  const remove = useCallback(() => {
    if (disabled) return;
    stopCurrent();
    setError(null);
    setUploaded(null);
    setValue('');
  }, [disabled, stopCurrent, setValue]);

  const clearError = useCallback(() => setError(null), []);

  const status: ReferenceUploadStatus = busy ?? (value ? 'ready' : 'empty');
  const previewUrl = busy === 'uploading' && pendingUrl ? pendingUrl : showUploaded && uploadedUrl ? uploadedUrl : value || null;
  const dimensions = pending ? { width: pending.width, height: pending.height } : showUploaded ? { width: uploaded.width, height: uploaded.height } : null;

  // One object while the limits stay the same, so it can sit in an effect's dependencies.
  const limits = useMemo<ReferenceUploadLimits>(() => ({ maxBytes, minShortEdge, maxLongEdge }), [maxBytes, minShortEdge, maxLongEdge]);
  return {
    status,
    value,
    previewUrl,
    progress: busy === 'uploading' ? progress : null,
    error,
    uploadsAvailable,
    source: value === '' ? null : showUploaded ? 'file' : 'url',
    dimensions,
    disabled,
    limits,
    selectFile,
    setUrl,
    cancel,
    remove,
    clearError,
  };
}

function extensionOf(type: ReferenceImageType): string {
  return type === 'image/jpeg' ? 'jpg' : type === 'image/png' ? 'png' : 'webp';
}

function ensureSentence(text: string): string {
  const trimmed = text.trim();
  return /[.!?]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}
