import {
  createContext,
  useCallback,
  useContext,
  useMemo,
  useState,
  type ComponentProps,
  type MouseEvent,
  type ReactNode,
} from 'react';
import type { CharacterApiError } from '../../core/errors.js';
import type { CharacterInput, FieldErrors, Job } from '../../core/schemas.js';
import type { CharacterClient } from '../../core/types.js';
import { CharacterGenerationProvider, useCharacterGenerationContext } from '../../react/provider.js';
import {
  useCharacterGeneration,
  type UseCharacterGenerationOptions,
  type UseCharacterGenerationResult,
} from '../../react/use-character-generation.js';
import { useGenerationProgress } from '../../react/use-generation-progress.js';
import { ParameterForm, type ParameterFormProps } from '../parameter-form/index.js';
import { defaultParameterFormValue, toCharacterInput, type ParameterFormValue } from '../parameter-form/values.js';
import { ResultGrid, type ResultGridProps } from '../result-grid/index.js';
import { useFocusHandOff } from '../shared/focus-hand-off.js';
import { ProgressBar } from '../shared/progress-bar.js';
import { Slot } from '../shared/slot.js';
import { useControllableState } from '../shared/use-controllable-state.js';
import { withDefaults } from '../shared/with-defaults.js';
import {
  defaultCharacterGeneratorLabels,
  type CharacterGeneratorLabelOverrides,
  type CharacterGeneratorLabels,
} from './labels.js';
import { unstyledAttribute, type UnstyledProps } from '../shared/unstyled.js';

/** Errors a retry cannot fix: the input or the account has to change first. */
const NOT_RETRYABLE = new Set(['invalid_input', 'unauthorized', 'insufficient_credits']);

export interface CharacterGeneratorContextValue {
  /** The `useCharacterGeneration` result everything is wired to. */
  generation: UseCharacterGenerationResult;
  /** The form's value. */
  value: ParameterFormValue;
  /** Change the form's value (e.g. set `character_reference_image`). */
  setValue: (next: ParameterFormValue | ((previous: ParameterFormValue) => ParameterFormValue)) => void;
  /** Submit a generation (remembered for "Try again"). */
  submit: (input: CharacterInput) => void;
  /** Generate again with the last input (or the form's current value); undefined when a retry cannot help. */
  retry: (() => void) | undefined;
  /** Put an image URL into the form as the reference image. */
  setReference: (url: string) => void;
  /** Field errors of a 422 answer, for the form. */
  fieldErrors: FieldErrors | undefined;
  /** The generator's own strings. */
  labels: CharacterGeneratorLabels;
  /** The per-part label overrides as given. */
  labelOverrides: CharacterGeneratorLabelOverrides | undefined;
}

const CharacterGeneratorContext = createContext<CharacterGeneratorContextValue | null>(null);

/**
 * The state of the nearest `CharacterGenerator.Root`, for custom parts.
 *
 * @example
 * const { generation, setValue } = useCharacterGenerator();
 */
export function useCharacterGenerator(): CharacterGeneratorContextValue {
  const value = useContext(CharacterGeneratorContext);
  if (!value) throw new Error('CharacterGenerator parts must be rendered inside <CharacterGenerator.Root>.');
  return value;
}

/* ------------------------------------------------------------------------------------------ */

export interface CharacterGeneratorRootProps extends Omit<ComponentProps<'div'>, 'defaultValue' | 'onError'>, UnstyledProps {
  /** The proxy endpoint, e.g. `/api/character`; creates a provider (and a QueryClient when none is above). @default the enclosing CharacterGenerationProvider's */
  endpoint?: string | undefined;
  /** A ready client (custom fetch, headers); wins over `endpoint`. @default the enclosing CharacterGenerationProvider's */
  client?: CharacterClient | undefined;
  /** The form's value (controlled). @default undefined */
  value?: ParameterFormValue | undefined;
  /** The form's starting value when uncontrolled; missing fields take the defaults. @default defaultParameterFormValue */
  defaultValue?: Partial<ParameterFormValue> | undefined;
  /** Called with the form's whole value on every change. @default undefined */
  onValueChange?: ((value: ParameterFormValue) => void) | undefined;
  /** Its own strings plus `form`, `reference` and `grid` for the parts, for translation. @default the defaults of each part */
  labels?: CharacterGeneratorLabelOverrides | undefined;
  /** Called once when the upstream accepted a job. @default undefined */
  onSubmitted?: ((job: Job) => void) | undefined;
  /** Called once when a job completed, with its images in `job.images`. @default undefined */
  onCompleted?: ((job: Job) => void) | undefined;
  /** Called once when a generation ends as failed or expired. @default undefined */
  onError?: ((error: CharacterApiError) => void) | undefined;
  /** Called on every status change. @default undefined */
  onStatusChange?: UseCharacterGenerationOptions['onStatusChange'] | undefined;
  /** More `useCharacterGeneration` options (`persist`, `id`, `deadlineMs`, `storage`, `pollPolicy`). @default {} */
  generationOptions?:
    | Omit<UseCharacterGenerationOptions, 'client' | 'endpoint' | 'onSubmitted' | 'onCompleted' | 'onError' | 'onStatusChange'>
    | undefined;
  /** Render the user's element instead of a `div`. @default false */
  asChild?: boolean | undefined;
}

function RootInner({
  value: valueProp,
  defaultValue,
  onValueChange,
  labels: labelOverrides,
  onSubmitted,
  onCompleted,
  onError,
  onStatusChange,
  generationOptions,
  asChild,
  unstyled,
  className,
  children,
  ...props
}: Omit<CharacterGeneratorRootProps, 'endpoint' | 'client'>) {
  const generation = useCharacterGeneration({
    ...generationOptions,
    ...(onSubmitted ? { onSubmitted } : {}),
    ...(onCompleted ? { onCompleted } : {}),
    ...(onError ? { onError } : {}),
    ...(onStatusChange ? { onStatusChange } : {}),
  });
  const [initial] = useState(() => ({ ...defaultParameterFormValue, ...defaultValue }));
  const [value, setValue] = useControllableState<ParameterFormValue>({ value: valueProp, defaultValue: initial, onValueChange });
  const [lastInput, setLastInput] = useState<CharacterInput | null>(null);

  const { generate, error } = generation;
  const submit = useCallback(
    (input: CharacterInput) => {
      setLastInput(input);
      generate(input);
    },
    [generate],
  );
  const retryable = error === null || !NOT_RETRYABLE.has(error.code);
  const retry = useMemo(
    () => (retryable ? () => submit(lastInput ?? toCharacterInput(value)) : undefined),
    [retryable, submit, lastInput, value],
  );
  const setReference = useCallback(
    (url: string) => setValue((previous) => ({ ...previous, character_reference_image: url })),
    [setValue],
  );
  const fieldErrors = error?.code === 'invalid_input' ? error.fieldErrors : undefined;
  const labels = useMemo(() => withDefaults(defaultCharacterGeneratorLabels, labelOverrides), [labelOverrides]);

  const context = useMemo<CharacterGeneratorContextValue>(
    () => ({ generation, value, setValue, submit, retry, setReference, fieldErrors, labels, labelOverrides }),
    [generation, value, setValue, submit, retry, setReference, fieldErrors, labels, labelOverrides],
  );
  const rootProps = {
    ...props,
    'data-slot': 'character-generator',
    'data-state': generation.status,
    'data-unstyled': unstyledAttribute(unstyled),
    'data-busy': generation.isBusy ? '' : undefined,
    className,
  };
  return (
    <CharacterGeneratorContext.Provider value={context}>
      {asChild ? <Slot {...rootProps}>{children}</Slot> : <div {...rootProps}>{children}</div>}
    </CharacterGeneratorContext.Provider>
  );
}

/**
 * Wires a generation: holds the form's value and a `useCharacterGeneration`, and gives both to
 * the parts inside. With `endpoint` or `client` (or without any provider above) it sets up its
 * own `CharacterGenerationProvider`, which reuses the app's QueryClient or creates one.
 * `data-state` is the generation's status; `data-busy` is present while a job runs.
 *
 * @example
 * <CharacterGenerator.Root endpoint="/api/character">
 *   <CharacterGenerator.Form />
 *   <CharacterGenerator.Progress />
 *   <CharacterGenerator.Grid />
 * </CharacterGenerator.Root>
 */
export function CharacterGeneratorRoot({ endpoint, client, ...props }: CharacterGeneratorRootProps) {
  const outer = useCharacterGenerationContext();
  const inner = <RootInner {...props} />;
  if (endpoint === undefined && client === undefined && outer) return inner;
  return (
    <CharacterGenerationProvider {...(client ? { client } : {})} {...(endpoint !== undefined ? { endpoint } : {})}>
      {inner}
    </CharacterGenerationProvider>
  );
}

/* ------------------------------------------------------------------------------------------ */

export type CharacterGeneratorFormProps = Omit<
  ParameterFormProps,
  'value' | 'defaultValue' | 'onValueChange' | 'onSubmit' | 'submitting' | 'fieldErrors'
>;

/**
 * The `ParameterForm` (with the reference uploader) bound to the generator: "Generate" submits,
 * it is disabled while a job runs, and 422 field errors come back to their fields.
 *
 * @example
 * <CharacterGenerator.Form referenceProps={{ allowUpload: false }} />
 */
export function CharacterGeneratorForm({ labels, referenceProps, ...props }: CharacterGeneratorFormProps) {
  const { generation, value, setValue, submit, fieldErrors, labelOverrides } = useCharacterGenerator();
  const referenceLabels = referenceProps?.labels ?? labelOverrides?.reference;
  return (
    <ParameterForm
      labels={labels ?? labelOverrides?.form}
      referenceProps={{ ...referenceProps, ...(referenceLabels ? { labels: referenceLabels } : {}) }}
      {...props}
      value={value}
      onValueChange={setValue}
      onSubmit={submit}
      submitting={generation.isBusy}
      fieldErrors={fieldErrors}
    />
  );
}

/* ------------------------------------------------------------------------------------------ */

export type CharacterGeneratorGridProps = Omit<ResultGridProps, 'generation'>;

/**
 * The `ResultGrid` fed by the generation: placeholders for the requested count and ratio, the
 * images, "Try again" (same input) and "Use as reference" (into the form).
 *
 * @example
 * <CharacterGenerator.Grid className="my-grid" />
 */
export function CharacterGeneratorGrid(props: CharacterGeneratorGridProps) {
  const { generation, retry, setReference, labelOverrides } = useCharacterGenerator();
  const input = generation.input;
  return (
    <ResultGrid
      generation={generation}
      prompt={input?.prompt}
      count={input?.numberOfImages ?? 1}
      aspectRatio={input?.aspect_ratio}
      resolution={input?.resolution}
      onRetry={retry}
      onUseAsReference={setReference}
      labels={labelOverrides?.grid}
      {...props}
    />
  );
}

/* ------------------------------------------------------------------------------------------ */

export type CharacterGeneratorProgressProps = ComponentProps<'div'>;

/**
 * An estimated progress bar (`role="progressbar"`, 0–100, "About 12 s left") from the poll
 * policy's expected duration; the fraction is also `--ic-progress` (0–1) for CSS. Says
 * "Connection trouble, still trying…" (with `data-retrying`) while polling rides out an error.
 * Only this part re-renders as it ticks. Renders nothing unless a job runs.
 *
 * @example
 * <CharacterGenerator.Progress className="my-bar" />
 */
export function CharacterGeneratorProgress({ className, style, children, ...props }: CharacterGeneratorProgressProps) {
  const { generation, labels } = useCharacterGenerator();
  const { progress, remainingMs } = useGenerationProgress(generation);
  if (!generation.isBusy) return null;
  const text =
    generation.status === 'submitting'
      ? labels.submitting
      : generation.transientError
        ? labels.retrying
        : remainingMs > 0
        ? labels.timeLeft(Math.ceil(remainingMs / 1000))
        : labels.almostDone;
  return (
    <ProgressBar
      value={progress}
      label={labels.progress}
      valueText={text}
      {...props}
      data-slot="character-generator-progress"
      data-state={generation.status}
      data-retrying={generation.transientError ? '' : undefined}
      className={className}
      style={style}
    >
      {children ?? text}
    </ProgressBar>
  );
}

/* ------------------------------------------------------------------------------------------ */

export type CharacterGeneratorCreditsProps = ComponentProps<'p'>;

/**
 * What the job cost and the credits left, from the job; renders nothing before a job answers.
 *
 * @example
 * <CharacterGenerator.Credits />
 */
export function CharacterGeneratorCredits({ className, children, ...props }: CharacterGeneratorCreditsProps) {
  const { generation, labels } = useCharacterGenerator();
  const job = generation.job;
  const parts = [
    job?.creditCost !== undefined ? labels.creditCost(job.creditCost) : null,
    job?.creditsRemaining !== undefined ? labels.creditsRemaining(job.creditsRemaining) : null,
  ].filter((part): part is string => part !== null);
  if (parts.length === 0 && children === undefined) return null;
  return (
    <p {...props} data-slot="character-generator-credits" className={className}>
      {children ?? parts.join(' · ')}
    </p>
  );
}

/* ------------------------------------------------------------------------------------------ */

export interface CharacterGeneratorCancelProps extends ComponentProps<'button'> {
  /** Render the user's element instead of a `button`. @default false */
  asChild?: boolean | undefined;
}

/**
 * "Cancel" while a job runs: stops watching it (credits already charged are not refunded).
 *
 * @example
 * <CharacterGenerator.Cancel />
 */
export function CharacterGeneratorCancel({ asChild, className, children, onClick, onFocus, ...props }: CharacterGeneratorCancelProps) {
  const { generation, labels } = useCharacterGenerator();
  // Canceled, or the job ended meanwhile: this button goes, and focus goes to "Generate".
  const handOffFocus = useFocusHandOff(generation.isBusy, '[data-slot="character-generator"]', '[data-slot="parameter-form-submit"]', onFocus);
  if (!generation.isBusy) return null;
  const buttonProps = {
    ...props,
    onFocus: handOffFocus,
    'data-slot': 'character-generator-cancel',
    className,
    onClick: (event: MouseEvent<HTMLButtonElement>) => {
      onClick?.(event);
      if (!event.defaultPrevented) generation.cancel();
    },
  };
  if (asChild) return <Slot {...(buttonProps as ComponentProps<typeof Slot>)}>{children}</Slot>;
  return (
    <button type="button" {...buttonProps}>
      {children ?? labels.cancel}
    </button>
  );
}

/* ------------------------------------------------------------------------------------------ */

export interface CharacterGeneratorProps extends Omit<CharacterGeneratorRootProps, 'asChild' | 'children'> {
  /** Props for the form (`referenceProps`, `showReference`, class names, …). @default {} */
  formProps?: CharacterGeneratorFormProps | undefined;
  /** Props for the result grid (class names, …). @default {} */
  gridProps?: CharacterGeneratorGridProps | undefined;
  /** Extra content after the grid. */
  children?: ReactNode;
}

/**
 * The whole flow in one component: the parameter form with the reference uploader, an estimated
 * progress bar with "Cancel", the credit cost and credits left, and the result grid ("Use as
 * reference" fills the form's reference, "Try again" regenerates). All an app needs is its proxy.
 * Unstyled: import `react-ideogram-character/styles.css` for the default look (tokens, light and
 * dark); leave it out and the parts render bare markup with `data-slot`/`data-state` to style.
 *
 * @example
 * <CharacterGenerator endpoint="/api/character" onCompleted={(job) => save(job.images)} />
 */
function CharacterGeneratorReady({ formProps, gridProps, children, ...rootProps }: CharacterGeneratorProps) {
  return (
    <CharacterGeneratorRoot {...rootProps}>
      <CharacterGeneratorForm {...formProps} />
      <ResultsSection>
        <div data-slot="character-generator-status-bar">
          <CharacterGeneratorProgress />
          <CharacterGeneratorCredits />
          <CharacterGeneratorCancel />
        </div>
        <CharacterGeneratorGrid {...gridProps} />
        {children}
      </ResultsSection>
    </CharacterGeneratorRoot>
  );
}

function ResultsSection({ children }: { children: ReactNode }) {
  const { labels } = useCharacterGenerator();
  return (
    <section aria-label={labels.results} data-slot="character-generator-results">
      {children}
    </section>
  );
}

/** The ready generator, with its parts as properties (`CharacterGenerator.Root`, `.Form`, `.Grid`, …). */
export const CharacterGenerator = Object.assign(CharacterGeneratorReady, {
  Root: CharacterGeneratorRoot,
  Form: CharacterGeneratorForm,
  Grid: CharacterGeneratorGrid,
  Progress: CharacterGeneratorProgress,
  Credits: CharacterGeneratorCredits,
  Cancel: CharacterGeneratorCancel,
});
