import {
  createContext,
  useContext,
  useEffect,
  useId,
  useMemo,
  useRef,
  useState,
  type ChangeEvent,
  type ClipboardEvent,
  type ComponentPropsWithoutRef,
  type CSSProperties,
  type DragEvent,
  type KeyboardEvent,
  type Ref,
  type RefObject,
} from 'react';
import { isHttpUrl, REFERENCE_IMAGE_TYPES } from '../../core/schemas.js';
import { useFocusHandOff } from '../shared/focus-hand-off.js';
import { ProgressBar } from '../shared/progress-bar.js';
import { nameFrom, useRegisterPart, useRenderedParts, type RegisterPart, type RenderedParts } from '../shared/rendered-parts.js';
import { composeRefs, Slot } from '../shared/slot.js';
import { withDefaults } from '../shared/with-defaults.js';
import {
  defaultReferenceUploadMessages,
  megabytes,
  useReferenceUpload,
  type ReferenceUploadLimits,
  type ReferenceUploadMessages,
  type UseReferenceUploadOptions,
  type UseReferenceUploadResult,
} from './use-reference-upload.js';
import { unstyledAttribute, type UnstyledProps } from '../shared/unstyled.js';

/** Every visible (and announced) string of the uploader; override any for translation. */
export interface ReferenceUploaderLabels extends ReferenceUploadMessages {
  /** The file input's accessible name. @default 'Reference image' */
  fileInput: string;
  /** The drop zone's text. @default 'Drop a photo here, paste one, or choose a file' */
  dropzone: string;
  /** The drop zone's second line: what is accepted, given the limits in effect. @default ({ maxBytes, minShortEdge }) => `JPEG, PNG or WebP · up to 10 MB · at least 256 px` */
  dropzoneHint: string | ((limits: ReferenceUploadLimits) => string);
  /** The drop zone's text while a file is dragged over it. @default 'Drop to use this image' */
  dropzoneActive: string;
  /** The URL field's label. @default 'Image URL' */
  urlInput: string;
  /** The URL field's placeholder. @default 'https://example.com/photo.jpg' */
  urlPlaceholder: string;
  /** The preview image's alt text. @default 'Reference image preview' */
  preview: string;
  /** The remove button. @default 'Remove reference image' */
  remove: string;
  /** The progress bar's accessible name. @default 'Upload progress' */
  progress: string;
  /** The cancel button. @default 'Cancel upload' */
  cancel: string;
  /** Shown while a file is being checked or resized. @default 'Checking the image…' */
  checking: string;
  /** The separator between the drop zone and the URL field. @default 'or' */
  or: string;
}

/** The default (English) labels. */
export const defaultReferenceUploaderLabels: Required<ReferenceUploaderLabels> = {
  ...defaultReferenceUploadMessages,
  fileInput: 'Reference image',
  dropzone: 'Drop a photo here, paste one, or choose a file',
  // Lines break only between the three parts (no lone "px" in a narrow drop zone).
  dropzoneHint: ({ maxBytes, minShortEdge }) =>
    ['JPEG, PNG or WebP', `up to ${megabytes(maxBytes)}`, `at least ${minShortEdge} px`].map((part) => part.replaceAll(' ', '\u00a0')).join(' · '),
  dropzoneActive: 'Drop to use this image',
  urlInput: 'Image URL',
  urlPlaceholder: 'https://example.com/photo.jpg',
  preview: 'Reference image preview',
  remove: 'Remove reference image',
  progress: 'Upload progress',
  cancel: 'Cancel upload',
  checking: 'Checking the image…',
  or: 'or',
};

interface ReferenceUploaderContextValue {
  upload: UseReferenceUploadResult;
  labels: Required<ReferenceUploaderLabels>;
  ids: { fileInput: string; urlInput: string; urlLabel: string; error: string; hint: string };
  /** The ids of the optional parts rendered now (`urlLabel`, `error`), so controls point only at what exists. */
  parts: RenderedParts;
  registerPart: RegisterPart;
  fileInputRef: RefObject<HTMLInputElement | null>;
  describedBy: string | undefined;
  invalid: boolean;
  dragOver: boolean;
  setDragOver(next: boolean): void;
}

const ReferenceUploaderContext = createContext<ReferenceUploaderContextValue | null>(null);

function useUploaderContext(part: string): ReferenceUploaderContextValue {
  const context = useContext(ReferenceUploaderContext);
  if (!context) throw new Error(`<ReferenceUploader.${part}> must be inside <ReferenceUploader.Root>`);
  return context;
}

/** The uploader's state and actions, for custom parts inside `ReferenceUploader.Root`. */
export function useReferenceUploaderContext(): UseReferenceUploadResult {
  return useUploaderContext('…').upload;
}

const joinIds = (...ids: Array<string | false | null | undefined>) => ids.filter(Boolean).join(' ') || undefined;
const flag = (on: boolean) => (on ? '' : undefined);

/** Files from a drop or paste: the first one, if any. */
function firstFile(data: DataTransfer | null): File | null {
  if (!data) return null;
  if (data.files && data.files.length > 0) return data.files[0] ?? null;
  for (const item of Array.from(data.items ?? [])) {
    if (item.kind === 'file') {
      const file = item.getAsFile();
      if (file) return file;
    }
  }
  return null;
}

export interface ReferenceUploaderRootProps
  extends UseReferenceUploadOptions,
    Omit<ComponentPropsWithoutRef<'div'>, 'defaultValue' | 'onError'>,
    UnstyledProps {
  /** Every visible string, for translation. @default defaultReferenceUploaderLabels */
  labels?: Partial<ReferenceUploaderLabels> | undefined;
  /** Mark the uploader invalid (e.g. a form's error for `character_reference_image`). @default false */
  invalid?: boolean | undefined;
  /** Render the user's element instead of a `div`. @default false */
  asChild?: boolean | undefined;
  ref?: Ref<HTMLDivElement> | undefined;
}

/**
 * Holds the uploader's state and gives it to the parts inside; also takes pasted images and
 * links anywhere within. `data-state`: `empty | checking | uploading | ready`.
 *
 * @example
 * <ReferenceUploader.Root client={client} onValueChange={setReference}>
 *   <ReferenceUploader.Dropzone />
 *   <ReferenceUploader.FileInput />
 *   <ReferenceUploader.Preview />
 *   <ReferenceUploader.Error />
 * </ReferenceUploader.Root>
 */
function Root(props: ReferenceUploaderRootProps) {
  const {
    client,
    value,
    defaultValue,
    onValueChange,
    allowUpload,
    disabled,
    maxBytes,
    minShortEdge,
    maxLongEdge,
    messages,
    onError,
    labels: labelOverrides,
    invalid = false,
    asChild,
    unstyled,
    children,
    onPaste,
    'aria-describedby': describedBy,
    ref,
    ...rest
  } = props;
  const labels = useMemo(
    () => withDefaults(defaultReferenceUploaderLabels, messages, labelOverrides),
    [messages, labelOverrides],
  );
  const upload = useReferenceUpload({
    client,
    value,
    defaultValue,
    onValueChange,
    allowUpload,
    disabled,
    maxBytes,
    minShortEdge,
    maxLongEdge,
    messages: labels,
    onError,
  });
  const id = useId();
  const fileInputRef = useRef<HTMLInputElement | null>(null);
  const [dragOver, setDragOver] = useState(false);
  const ids = useMemo(
    () => ({ fileInput: `${id}-file`, urlInput: `${id}-url`, urlLabel: `${id}-url-label`, error: `${id}-error`, hint: `${id}-hint` }),
    [id],
  );
  const [parts, registerPart] = useRenderedParts();
  const context = useMemo<ReferenceUploaderContextValue>(
    () => ({ upload, labels, ids, parts, registerPart, fileInputRef, describedBy, invalid, dragOver, setDragOver }),
    [upload, labels, ids, parts, registerPart, describedBy, invalid, dragOver],
  );

  const handlePaste = (event: ClipboardEvent<HTMLDivElement>) => {
    onPaste?.(event);
    if (event.defaultPrevented || upload.disabled) return;
    const file = firstFile(event.clipboardData);
    if (file) {
      event.preventDefault();
      void upload.selectFile(file);
      return;
    }
    // Text pasted into a text field is the field's business; elsewhere a pasted link is used.
    const target = event.target as HTMLElement;
    if (target.closest('input, textarea, [contenteditable="true"]')) return;
    const text = event.clipboardData?.getData('text/plain')?.trim();
    if (text) {
      event.preventDefault();
      upload.setUrl(text);
    }
  };

  const Component = asChild ? Slot : 'div';
  return (
    <ReferenceUploaderContext.Provider value={context}>
      <Component
        data-slot="reference-uploader"
        data-unstyled={unstyledAttribute(unstyled)}
        data-state={upload.status}
        data-disabled={flag(upload.disabled)}
        data-invalid={flag(invalid || upload.error !== null)}
        data-uploads={upload.uploadsAvailable ? 'available' : 'unavailable'}
        {...rest}
        onPaste={handlePaste}
        ref={ref as Ref<HTMLElement & HTMLDivElement>}
      >
        {children}
      </Component>
    </ReferenceUploaderContext.Provider>
  );
}

export interface ReferenceUploaderDropzoneProps extends ComponentPropsWithoutRef<'div'> {
  /** Render the user's element instead of a `div`. @default false */
  asChild?: boolean | undefined;
  ref?: Ref<HTMLDivElement> | undefined;
}

/**
 * The drop zone: drop a file on it, or click it (Enter / Space) to open the file dialog.
 * Renders nothing when uploads are unavailable. `data-state`: `idle | drag-over`.
 */
function Dropzone({ asChild, children, ref, onClick, onKeyDown, onDragEnter, onDragOver, onDragLeave, onDrop, ...rest }: ReferenceUploaderDropzoneProps) {
  const { upload, labels, ids, parts, fileInputRef, dragOver, setDragOver, describedBy, invalid } = useUploaderContext('Dropzone');
  if (!upload.uploadsAvailable) return null;
  const disabled = upload.disabled;
  const open = () => {
    if (!disabled) fileInputRef.current?.click();
  };
  const Component = asChild ? Slot : 'div';
  return (
    <Component
      role="button"
      tabIndex={disabled ? -1 : 0}
      aria-disabled={disabled || undefined}
      // The hint is there only when the zone shows its own content.
      aria-describedby={joinIds(children == null && ids.hint, parts.error, describedBy)}
      aria-invalid={invalid || undefined}
      data-slot="reference-uploader-dropzone"
      data-state={dragOver ? 'drag-over' : 'idle'}
      data-disabled={flag(disabled)}
      {...rest}
      ref={ref as Ref<HTMLElement & HTMLDivElement>}
      onClick={(event) => {
        onClick?.(event);
        if (!event.defaultPrevented) open();
      }}
      onKeyDown={(event: KeyboardEvent<HTMLDivElement>) => {
        onKeyDown?.(event);
        if (event.defaultPrevented) return;
        if (event.key === 'Enter' || event.key === ' ') {
          event.preventDefault();
          open();
        }
      }}
      onDragEnter={(event: DragEvent<HTMLDivElement>) => {
        onDragEnter?.(event);
        if (disabled) return;
        event.preventDefault();
        setDragOver(true);
      }}
      onDragOver={(event: DragEvent<HTMLDivElement>) => {
        onDragOver?.(event);
        if (disabled) return;
        event.preventDefault();
        if (event.dataTransfer) event.dataTransfer.dropEffect = 'copy';
        if (!dragOver) setDragOver(true);
      }}
      onDragLeave={(event: DragEvent<HTMLDivElement>) => {
        onDragLeave?.(event);
        // Leaving for a child of the zone is not leaving the zone.
        if (event.relatedTarget instanceof Node && event.currentTarget.contains(event.relatedTarget)) return;
        setDragOver(false);
      }}
      onDrop={(event: DragEvent<HTMLDivElement>) => {
        onDrop?.(event);
        event.preventDefault();
        setDragOver(false);
        if (disabled) return;
        const file = firstFile(event.dataTransfer);
        if (file) void upload.selectFile(file);
      }}
    >
      {children ?? (
        <>
          <span data-slot="reference-uploader-dropzone-label">{dragOver ? labels.dropzoneActive : labels.dropzone}</span>
          <span data-slot="reference-uploader-dropzone-hint" id={ids.hint}>
            {typeof labels.dropzoneHint === 'function' ? labels.dropzoneHint(upload.limits) : labels.dropzoneHint}
          </span>
        </>
      )}
    </Component>
  );
}

const visuallyHidden: CSSProperties = {
  position: 'absolute',
  width: 1,
  height: 1,
  margin: -1,
  padding: 0,
  border: 0,
  overflow: 'hidden',
  clip: 'rect(0 0 0 0)',
  clipPath: 'inset(50%)',
  whiteSpace: 'nowrap',
};

export interface ReferenceUploaderFileInputProps extends Omit<ComponentPropsWithoutRef<'input'>, 'type' | 'value'> {
  ref?: Ref<HTMLInputElement> | undefined;
}

/**
 * The `<input type="file">` labelled "Reference image". Visually hidden and out of the tab
 * order by default (the drop zone opens it); pass `style`/`tabIndex` to show it instead.
 */
function FileInput({ ref, onChange, style, ...rest }: ReferenceUploaderFileInputProps) {
  const { upload, labels, ids, parts, fileInputRef, describedBy } = useUploaderContext('FileInput');
  if (!upload.uploadsAvailable) return null;
  return (
    <input
      type="file"
      id={ids.fileInput}
      accept={REFERENCE_IMAGE_TYPES.join(',')}
      aria-label={labels.fileInput}
      aria-describedby={joinIds(parts.error, describedBy)}
      tabIndex={-1}
      disabled={upload.disabled}
      data-slot="reference-uploader-file-input"
      style={{ ...visuallyHidden, ...style }}
      {...rest}
      ref={composeRefs(ref, fileInputRef)}
      onChange={(event: ChangeEvent<HTMLInputElement>) => {
        onChange?.(event);
        const file = event.target.files?.[0];
        // Reset so choosing the same file again still fires a change.
        event.target.value = '';
        if (file) void upload.selectFile(file);
      }}
    />
  );
}

export interface ReferenceUploaderUrlLabelProps extends ComponentPropsWithoutRef<'label'> {
  ref?: Ref<HTMLLabelElement> | undefined;
}

/** The visible label of the URL field ("Image URL"); while it is rendered, the field is named by its text. */
function UrlLabel({ children, ref, id, ...rest }: ReferenceUploaderUrlLabelProps) {
  const { labels, ids, registerPart } = useUploaderContext('UrlLabel');
  const labelId = id ?? ids.urlLabel;
  useRegisterPart(registerPart, 'urlLabel', labelId);
  return (
    <label htmlFor={ids.urlInput} id={labelId} data-slot="reference-uploader-url-label" {...rest} ref={ref}>
      {children ?? labels.urlInput}
    </label>
  );
}

export interface ReferenceUploaderUrlInputProps extends Omit<ComponentPropsWithoutRef<'input'>, 'value' | 'defaultValue'> {
  ref?: Ref<HTMLInputElement> | undefined;
}

/**
 * How long a typed, well-formed link waits before it is used. Using it while the person is still
 * at the field (not only on blur) means the preview appears before they reach for "Generate":
 * a preview that appeared on the blur of that very click would move the button away from under
 * the pointer between mousedown and mouseup, and the click would be lost.
 */
const URL_SETTLE_MS = 400;

/**
 * The "Image URL" field, named by `UrlLabel` when one is rendered, else by `labels.urlInput`. A typed link is used once typing pauses, on Enter, or when the field
 * loses focus; a pasted link at once; emptying the field removes the link. An invalid link is
 * refused with a message (on Enter or blur, never mid-typing) and the previous image stays.
 */
function UrlInput({ ref, onChange, onKeyDown, onBlur, onPaste, ...rest }: ReferenceUploaderUrlInputProps) {
  const { upload, labels, ids, parts, describedBy, invalid } = useUploaderContext('UrlInput');
  // The draft is what the person is typing; the value only changes once it is committed.
  const shown = upload.source === 'url' ? upload.value : '';
  const [draft, setDraft] = useState<{ text: string; base: string } | null>(null);
  const text = draft && draft.base === shown ? draft.text : shown;
  const commit = (next: string) => {
    const trimmed = next.trim();
    if (trimmed === shown) {
      setDraft(null);
      return;
    }
    if (trimmed === '') {
      // Emptying the field of a link in use removes that link.
      if (upload.source === 'url') upload.remove();
      setDraft(null);
      return;
    }
    if (upload.setUrl(trimmed)) setDraft(null);
  };
  const settling = draft && draft.base === shown ? draft.text.trim() : '';
  const { setUrl } = upload;
  useEffect(() => {
    if (!settling || settling === shown || !isHttpUrl(settling)) return;
    const timer = setTimeout(() => {
      if (setUrl(settling)) setDraft(null);
    }, URL_SETTLE_MS);
    return () => clearTimeout(timer);
  }, [settling, shown, setUrl]);
  return (
    <input
      type="url"
      inputMode="url"
      autoComplete="url"
      id={ids.urlInput}
      {...nameFrom(parts.urlLabel, labels.urlInput, rest)}
      placeholder={labels.urlPlaceholder}
      aria-invalid={invalid || upload.error?.code === 'invalid_url' || undefined}
      aria-describedby={joinIds(parts.error, describedBy)}
      disabled={upload.disabled}
      data-slot="reference-uploader-url-input"
      {...rest}
      ref={ref}
      value={text}
      onChange={(event) => {
        onChange?.(event);
        setDraft({ text: event.target.value, base: shown });
      }}
      onKeyDown={(event) => {
        onKeyDown?.(event);
        if (event.defaultPrevented) return;
        if (event.key === 'Enter') {
          // Inside a form, Enter here means "use this link", not "submit the form".
          event.preventDefault();
          commit(event.currentTarget.value);
        }
      }}
      onBlur={(event) => {
        onBlur?.(event);
        commit(event.currentTarget.value);
      }}
      onPaste={(event) => {
        onPaste?.(event);
        if (event.defaultPrevented || firstFile(event.clipboardData)) return;
        const pasted = event.clipboardData.getData('text/plain').trim();
        const input = event.currentTarget;
        // A link pasted over the whole field is used at once.
        if (pasted && (input.value === '' || (input.selectionStart === 0 && input.selectionEnd === input.value.length))) {
          event.preventDefault();
          setDraft({ text: pasted, base: shown });
          commit(pasted);
        }
      }}
    />
  );
}

export interface ReferenceUploaderPreviewProps extends Omit<ComponentPropsWithoutRef<'img'>, 'src' | 'alt'> {
  /** Render the user's element (e.g. a framework `Image`) with `src` and `alt` merged in. @default false */
  asChild?: boolean | undefined;
  /** The alt text. @default labels.preview ('Reference image preview') */
  alt?: string | undefined;
  ref?: Ref<HTMLImageElement> | undefined;
}

/** The preview `img` of the current (or uploading) image; nothing when there is none. */
function Preview({ asChild, alt, ref, children, ...rest }: ReferenceUploaderPreviewProps) {
  const { upload, labels } = useUploaderContext('Preview');
  if (!upload.previewUrl) return null;
  const props = {
    src: upload.previewUrl,
    alt: alt ?? labels.preview,
    'data-slot': 'reference-uploader-preview',
    'data-state': upload.status === 'uploading' ? 'uploading' : 'ready',
    ...(upload.dimensions ? { width: upload.dimensions.width, height: upload.dimensions.height } : {}),
    ...rest,
  };
  if (asChild) return <Slot {...props} ref={ref as Ref<HTMLElement>}>{children}</Slot>;
  return <img {...props} ref={ref} />;
}

export interface ReferenceUploaderButtonProps extends ComponentPropsWithoutRef<'button'> {
  /** Render the user's button instead of a `button`. @default false */
  asChild?: boolean | undefined;
  ref?: Ref<HTMLButtonElement> | undefined;
}

/** "Remove reference image": clears the value. Nothing when there is no image. */
function RemoveButton({ asChild, children, onClick, ref, onFocus, ...rest }: ReferenceUploaderButtonProps) {
  const { upload, labels } = useUploaderContext('RemoveButton');
  const shown = Boolean(upload.value) && upload.status !== 'uploading' && upload.status !== 'checking';
  // Once the image is gone, so is this button: focus goes to the drop zone or the link field.
  const handOffFocus = useFocusHandOff(shown, '[data-slot="reference-uploader"]', '[data-slot="reference-uploader-dropzone"], [data-slot="reference-uploader-url-input"]', onFocus);
  if (!shown) return null;
  const Component = asChild ? Slot : 'button';
  return (
    <Component
      type="button"
      data-slot="reference-uploader-remove"
      disabled={upload.disabled}
      {...rest}
      onFocus={handOffFocus}
      ref={ref as Ref<HTMLElement & HTMLButtonElement>}
      onClick={(event) => {
        onClick?.(event);
        if (!event.defaultPrevented) upload.remove();
      }}
    >
      {children ?? labels.remove}
    </Component>
  );
}

/** "Cancel upload": stops the check or upload in progress; the previous image stays. */
function CancelButton({ asChild, children, onClick, ref, ...rest }: ReferenceUploaderButtonProps) {
  const { upload, labels } = useUploaderContext('CancelButton');
  if (upload.status !== 'uploading' && upload.status !== 'checking') return null;
  const Component = asChild ? Slot : 'button';
  return (
    <Component
      type="button"
      data-slot="reference-uploader-cancel"
      {...rest}
      ref={ref as Ref<HTMLElement & HTMLButtonElement>}
      onClick={(event) => {
        onClick?.(event);
        if (!event.defaultPrevented) upload.cancel();
      }}
    >
      {children ?? labels.cancel}
    </Component>
  );
}

export interface ReferenceUploaderProgressProps extends ComponentPropsWithoutRef<'div'> {
  ref?: Ref<HTMLDivElement> | undefined;
}

/**
 * The upload's progress bar (`role="progressbar"`, `aria-valuenow` in percent) with the
 * fraction in `--ic-progress` for CSS. While a file is checked it is indeterminate.
 * Nothing when idle.
 */
function Progress(props: ReferenceUploaderProgressProps) {
  const { upload, labels } = useUploaderContext('Progress');
  if (upload.status !== 'uploading' && upload.status !== 'checking') return null;
  const fraction = upload.progress;
  return (
    <ProgressBar
      value={fraction}
      label={labels.progress}
      valueText={fraction === null ? labels.checking : undefined}
      data-slot="reference-uploader-progress"
      data-state={fraction === null ? 'indeterminate' : 'loading'}
      {...props}
    />
  );
}

export interface ReferenceUploaderErrorProps extends ComponentPropsWithoutRef<'p'> {
  ref?: Ref<HTMLParagraphElement> | undefined;
}

/** Why the last file or link was refused (`role="alert"`), describing the fields; nothing when there is no error. */
function ErrorMessage({ ref, children, id, ...rest }: ReferenceUploaderErrorProps) {
  const { upload, ids, registerPart } = useUploaderContext('Error');
  const errorId = id ?? ids.error;
  useRegisterPart(registerPart, 'error', upload.error && errorId);
  if (!upload.error) return null;
  return (
    <p role="alert" id={errorId} data-slot="reference-uploader-error" data-code={upload.error.code} {...rest} ref={ref}>
      {children ?? upload.error.message}
    </p>
  );
}

/** Says that only links work here, when uploads are off or the server has no upload storage. */
function Notice({ ref, children, ...rest }: ReferenceUploaderErrorProps) {
  const { upload, labels } = useUploaderContext('Notice');
  if (upload.uploadsAvailable || upload.error?.code === 'uploads_unavailable') return null;
  return (
    <p data-slot="reference-uploader-notice" {...rest} ref={ref}>
      {children ?? labels.uploadsUnavailable}
    </p>
  );
}

/** A text part for custom layouts: the status ("Checking the image…") while a file is checked. */
function Status({ ref, children, ...rest }: ReferenceUploaderErrorProps) {
  const { upload, labels } = useUploaderContext('Status');
  return (
    <p role="status" data-slot="reference-uploader-status" data-state={upload.status} {...rest} ref={ref}>
      {children ?? (upload.status === 'checking' ? labels.checking : '')}
    </p>
  );
}

export interface ReferenceUploaderFrameProps extends ComponentPropsWithoutRef<'div'> {
  ref?: Ref<HTMLDivElement> | undefined;
}

/**
 * The image's place: with styles.css, a preview box (the image fitted in, with the progress bar,
 * Cancel or Remove across its foot) beside the drop zone or the links-only notice, as tall with
 * an image as without one, so nothing after it moves when a preview appears. Without children
 * it holds the ready layout's parts (`Preview`, `Progress`, `CancelButton`, `RemoveButton`,
 * `Status`, `Dropzone`, `Notice`); give your own to choose them. `data-slot="reference-uploader-frame"`.
 *
 * @example
 * <ReferenceUploader.Root client={client} onValueChange={setReference}>
 *   <ReferenceUploader.Frame>
 *     <ReferenceUploader.Preview />
 *     <ReferenceUploader.RemoveButton />
 *     <ReferenceUploader.Dropzone />
 *   </ReferenceUploader.Frame>
 *   <ReferenceUploader.FileInput />
 *   <ReferenceUploader.Messages />
 * </ReferenceUploader.Root>
 */
function Frame({ children, ref, ...rest }: ReferenceUploaderFrameProps) {
  return (
    <div data-slot="reference-uploader-frame" {...rest} ref={ref}>
      {children ?? (
        <>
          <Preview />
          <Progress />
          <CancelButton />
          <RemoveButton />
          <Status />
          <Dropzone />
          <Notice />
        </>
      )}
    </div>
  );
}

export type ReferenceUploaderMessagesProps = ReferenceUploaderFrameProps;

/**
 * The error line's place, always rendered: with styles.css it keeps room for two lines (every
 * default message fits at 360 px wide), so a refused file or link moves nothing after it.
 * Holds `ReferenceUploader.Error` unless given children. Not a live region itself: the alert
 * inside is announced once, when it appears. `data-slot="reference-uploader-messages"`.
 *
 * @example
 * <ReferenceUploader.Root client={client}>
 *   <ReferenceUploader.UrlLabel />
 *   <ReferenceUploader.UrlInput />
 *   <ReferenceUploader.Messages />
 *   <button type="submit">Generate</button>
 * </ReferenceUploader.Root>
 */
function Messages({ children, ref, ...rest }: ReferenceUploaderMessagesProps) {
  return (
    <div data-slot="reference-uploader-messages" {...rest} ref={ref}>
      {children ?? <ErrorMessage />}
    </div>
  );
}

export type ReferenceUploaderProps = Omit<ReferenceUploaderRootProps, 'asChild' | 'children'>;

/**
 * The ready uploader: drop zone (click, Enter or Space to browse), paste, an "Image URL"
 * field, preview with remove, progress with cancel, and messages. Its value is the
 * reference image URL (`character_reference_image`). It is `ReferenceUploader.Frame`, the file
 * input, the URL field and `ReferenceUploader.Messages` inside `ReferenceUploader.Root`, so what
 * follows (a form's "Generate") moves neither when a preview appears nor when a file or link is refused.
 *
 * @example
 * <ReferenceUploader client={client} onValueChange={(url) => setReference(url)} />
 */
function ReferenceUploaderDefault(props: ReferenceUploaderProps) {
  return (
    <Root {...props}>
      <Frame />
      <FileInput />
      <UrlLabel />
      <UrlInput />
      <Messages />
    </Root>
  );
}

/** Slot names of the parts, so CSS can place them. */
export type ReferenceUploaderSlot =
  | 'reference-uploader'
  | 'reference-uploader-frame'
  | 'reference-uploader-dropzone'
  | 'reference-uploader-file-input'
  | 'reference-uploader-url-label'
  | 'reference-uploader-url-input'
  | 'reference-uploader-preview'
  | 'reference-uploader-remove'
  | 'reference-uploader-cancel'
  | 'reference-uploader-progress'
  | 'reference-uploader-messages'
  | 'reference-uploader-error'
  | 'reference-uploader-notice'
  | 'reference-uploader-status';

/**
 * The reference-image uploader: `<ReferenceUploader />` for the ready layout, or its parts
 * (`ReferenceUploader.Root`, `.Frame`, `.Dropzone`, `.FileInput`, `.UrlLabel`, `.UrlInput`, `.Preview`,
 * `.RemoveButton`, `.Progress`, `.CancelButton`, `.Messages`, `.Error`, `.Notice`, `.Status`) to arrange your own.
 * `.Frame` and `.Messages` keep what follows in place as the ready layout does.
 *
 * @example
 * <ReferenceUploader.Root client={client} value={url} onValueChange={setUrl}>
 *   <MyCard>
 *     <ReferenceUploader.Frame>
 *       <ReferenceUploader.Preview />
 *       <ReferenceUploader.Dropzone asChild><MyDropArea /></ReferenceUploader.Dropzone>
 *     </ReferenceUploader.Frame>
 *     <ReferenceUploader.FileInput />
 *     <ReferenceUploader.UrlLabel /><ReferenceUploader.UrlInput />
 *     <ReferenceUploader.Messages />
 *   </MyCard>
 * </ReferenceUploader.Root>
 */
export const ReferenceUploader = Object.assign(ReferenceUploaderDefault, {
  Root,
  Frame,
  Dropzone,
  FileInput,
  UrlLabel,
  UrlInput,
  Preview,
  RemoveButton,
  CancelButton,
  Progress,
  Messages,
  Error: ErrorMessage,
  Notice,
  Status,
});
