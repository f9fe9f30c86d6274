import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useId,
  useMemo,
  useRef,
  useState,
  type ComponentPropsWithoutRef,
  type CSSProperties,
  type FormEvent,
  type ReactNode,
  type Ref,
} from 'react';
import {
  MAGIC_PROMPT_OPTIONS,
  MAX_IMAGES,
  MAX_SEED,
  RENDERING_SPEEDS,
  RESOLUTIONS,
  STYLE_TYPES,
  type AspectRatio,
  type CharacterInput,
  type FieldErrors,
  type MagicPromptOption,
  type RenderingSpeed,
  type Resolution,
  type StyleType,
} from '../../core/schemas.js';
import type { CharacterClient } from '../../core/types.js';
import { ReferenceUploader, type ReferenceUploaderProps } from '../reference-uploader/reference-uploader.js';
import { useRegisterPart, useRenderedParts, type RegisterPart, type RenderedParts } from '../shared/rendered-parts.js';
import { composeRefs, Slot } from '../shared/slot.js';
import { useControllableState } from '../shared/use-controllable-state.js';
import { withDefaults } from '../shared/with-defaults.js';
import {
  defaultParameterFormValue,
  ORDERED_ASPECT_RATIOS,
  ratioParts,
  resolutionParts,
  validateParameterForm,
  type ParameterFormFieldName,
  type ParameterFormValue,
} from './values.js';
import { unstyledAttribute, type UnstyledProps } from '../shared/unstyled.js';

/** Every visible string of the form; override any for translation. */
export interface ParameterFormLabels {
  /** @default 'Prompt' */
  prompt: string;
  /** @default 'Describe the scene: where the character is and what they are doing' */
  promptPlaceholder: string;
  /** The character counter under the prompt. @default (count) => `${count} characters` */
  promptCounter: (count: number) => string;
  /** @default 'Rendering speed' */
  renderingSpeed: string;
  /** Option texts. @default { Default: 'Default', Turbo: 'Turbo (faster)', Quality: 'Quality (slower)' } */
  renderingSpeedOptions: Record<RenderingSpeed, string>;
  /** @default 'Style' */
  style: string;
  /** Option texts. @default { Auto: 'Auto', Fiction: 'Fiction', Realistic: 'Realistic' } */
  styleOptions: Record<StyleType, string>;
  /** @default 'Aspect ratio' */
  aspectRatio: string;
  /** Why "Aspect ratio" is disabled when a resolution is chosen. @default (resolution) => `The resolution ${resolution} sets the shape. Choose "None" as the resolution to pick an aspect ratio.` */
  aspectRatioLocked: (resolution: string) => string;
  /** @default 'Resolution' */
  resolution: string;
  /** The `None` option. @default 'None' */
  resolutionNone: string;
  /** Option group names. @default { portrait: 'Portrait', square: 'Square', landscape: 'Landscape' } */
  resolutionGroups: { portrait: string; square: string; landscape: string };
  /** @default 'Magic prompt' */
  magicPrompt: string;
  /** Option texts. @default { Auto: 'Auto', On: 'On', Off: 'Off' } */
  magicPromptOptions: Record<MagicPromptOption, string>;
  /** @default 'Seed' */
  seed: string;
  /** Under the seed field. @default 'Leave empty for a random seed.' */
  seedHint: string;
  /** The seed field's placeholder. @default 'Random' */
  seedPlaceholder: string;
  /** @default 'Randomise seed' */
  randomiseSeed: string;
  /** @default 'Number of images' */
  numberOfImages: string;
  /** The reference image group's name. @default 'Character reference' */
  reference: string;
  /** @default 'Generate' */
  submit: string;
  /** Shown when there is no reference image. @default 'Add a reference image: upload a photo or paste a link.' */
  referenceRequired: string;
  /** Shown when the seed is not a whole number. @default 'Enter a whole number for the seed, or leave it empty.' */
  seedNotInteger: string;
}

/** The default (English) labels. */
export const defaultParameterFormLabels: ParameterFormLabels = {
  prompt: 'Prompt',
  promptPlaceholder: 'Describe the scene: where the character is and what they are doing',
  promptCounter: (count) => `${count} ${count === 1 ? 'character' : 'characters'}`,
  renderingSpeed: 'Rendering speed',
  renderingSpeedOptions: { Default: 'Default', Turbo: 'Turbo (faster)', Quality: 'Quality (slower)' },
  style: 'Style',
  styleOptions: { Auto: 'Auto', Fiction: 'Fiction', Realistic: 'Realistic' },
  aspectRatio: 'Aspect ratio',
  aspectRatioLocked: (resolution) =>
    `The resolution ${resolution} sets the shape. Choose "None" as the resolution to pick an aspect ratio.`,
  resolution: 'Resolution',
  resolutionNone: 'None',
  resolutionGroups: { portrait: 'Portrait', square: 'Square', landscape: 'Landscape' },
  magicPrompt: 'Magic prompt',
  magicPromptOptions: { Auto: 'Auto', On: 'On', Off: 'Off' },
  seed: 'Seed',
  seedHint: 'Leave empty for a random seed.',
  seedPlaceholder: 'Random',
  randomiseSeed: 'Randomise seed',
  numberOfImages: 'Number of images',
  reference: 'Character reference',
  submit: 'Generate',
  referenceRequired: 'Add a reference image: upload a photo or paste a link.',
  seedNotInteger: 'Enter a whole number for the seed, or leave it empty.',
};

interface ParameterFormContextValue {
  value: ParameterFormValue;
  setField<K extends ParameterFormFieldName>(name: K, next: ParameterFormValue[K]): void;
  errors: FieldErrors;
  labels: ParameterFormLabels;
  disabled: boolean;
  submitting: boolean;
  baseId: string;
  setSeedUnreadable(unreadable: boolean): void;
  /** The fields rendered now, by name, so their errors show there and not in FormError. */
  renderedFields: RenderedParts;
  registerField: RegisterPart;
}

const NO_FIELDS: ReadonlySet<string> = new Set();

const ParameterFormContext = createContext<ParameterFormContextValue | null>(null);

function useFormContext(part: string): ParameterFormContextValue {
  const context = useContext(ParameterFormContext);
  if (!context) throw new Error(`<ParameterForm.${part}> must be inside <ParameterForm.Root>`);
  return context;
}

const joinIds = (...ids: Array<string | false | null | undefined>) => ids.filter(Boolean).join(' ') || undefined;
const flag = (on: boolean) => (on ? '' : undefined);

/** What a custom field needs: ids, value, error and the aria props that link them. */
export interface ParameterFormFieldState<K extends ParameterFormFieldName> {
  /** The control's id (for a `<label htmlFor>`). */
  id: string;
  /** The id of the error message (present only while there is an error). */
  errorId: string;
  /** The id of the field's description, for fields that have one. */
  descriptionId: string;
  /** The field's current value. */
  value: ParameterFormValue[K];
  /** Change the field's value. */
  setValue(next: ParameterFormValue[K]): void;
  /** The field's error messages (from validation or `fieldErrors`); empty when valid. */
  errors: string[];
  /** True when the form or the field is disabled. */
  disabled: boolean;
  /** Spread onto the control: `id`, `aria-invalid`, `aria-describedby`, `disabled`. */
  controlProps: { id: string; 'aria-invalid': true | undefined; 'aria-describedby': string | undefined; disabled: boolean };
}

/**
 * One field of the enclosing `ParameterForm.Root`, for design systems that draw a field with
 * their own components. Registers the field, so its errors show here and not in `FormError`.
 *
 * @example
 * function MyPrompt() {
 *   const field = useParameterFormField('prompt')
 *   return <MyTextArea label="Prompt" {...field.controlProps} value={field.value}
 *            onChange={(e) => field.setValue(e.target.value)} error={field.errors[0]} />
 * }
 */
export function useParameterFormField<K extends ParameterFormFieldName>(
  name: K,
  options: { describedBy?: string | undefined } = {},
): ParameterFormFieldState<K> {
  const context = useFormContext('Field');
  const { registerField, setField } = context;
  const id = `${context.baseId}-${name}`;
  useRegisterPart(registerField, name, id);
  const errors = context.errors[name] ?? [];
  const errorId = `${id}-error`;
  const setValue = useCallback((next: ParameterFormValue[K]) => setField(name, next), [setField, name]);
  return {
    id,
    errorId,
    descriptionId: `${id}-description`,
    value: context.value[name],
    setValue,
    errors,
    disabled: context.disabled,
    controlProps: {
      id,
      'aria-invalid': errors.length > 0 ? true : undefined,
      'aria-describedby': joinIds(options.describedBy, errors.length > 0 && errorId),
      disabled: context.disabled,
    },
  };
}

export interface ParameterFormRootProps
  extends Omit<ComponentPropsWithoutRef<'form'>, 'onSubmit' | 'defaultValue' | 'onChange'>,
    UnstyledProps {
  /** The form's value (controlled). @default undefined (uncontrolled) */
  value?: ParameterFormValue | undefined;
  /** The starting value when uncontrolled; missing fields take the defaults. @default defaultParameterFormValue */
  defaultValue?: Partial<ParameterFormValue> | undefined;
  /** Called with the whole new value on every change. @default undefined */
  onValueChange?: ((value: ParameterFormValue) => void) | undefined;
  /** Called with a valid, clean input (see `toCharacterInput`) when the form is submitted. @default undefined */
  onSubmit?: ((input: CharacterInput) => void) | undefined;
  /** Errors per field from the server (e.g. a 422 `CharacterApiError.fieldErrors`); each clears when its field changes. @default undefined */
  fieldErrors?: FieldErrors | undefined;
  /** A submit is in flight: "Generate" does nothing and says so (`aria-disabled`), but keeps focus. @default false */
  submitting?: boolean | undefined;
  /** Disable every field. @default false */
  disabled?: boolean | undefined;
  /** Every visible string, for translation. @default defaultParameterFormLabels */
  labels?: Partial<ParameterFormLabels> | undefined;
  ref?: Ref<HTMLFormElement> | undefined;
}

/**
 * The `<form>` that holds the parameters and validates them with the core schema on submit:
 * errors show inline next to their fields and focus moves to the first invalid one.
 * `data-state`: `idle | invalid | submitting`.
 *
 * @example
 * <ParameterForm.Root onSubmit={(input) => generate(input)} fieldErrors={error?.fieldErrors}>
 *   <ParameterForm.Reference client={client} />
 *   <ParameterForm.Prompt />
 *   <ParameterForm.AspectRatio />
 *   <ParameterForm.Submit />
 * </ParameterForm.Root>
 */
function Root(props: ParameterFormRootProps) {
  const {
    value: valueProp,
    defaultValue,
    onValueChange,
    onSubmit,
    fieldErrors,
    submitting = false,
    disabled = false,
    labels: labelOverrides,
    unstyled,
    children,
    ref,
    ...rest
  } = props;
  const labels = useMemo(() => withDefaults(defaultParameterFormLabels, labelOverrides), [labelOverrides]);
  const [initial] = useState(() => ({ ...defaultParameterFormValue, ...defaultValue }));
  const [value, setValue] = useControllableState<ParameterFormValue>({
    value: valueProp,
    defaultValue: initial,
    onValueChange,
  });
  const baseId = useId();
  const formRef = useRef<HTMLFormElement | null>(null);
  const [attempted, setAttempted] = useState(false);
  const [seedUnreadable, setSeedUnreadable] = useState(false);
  // Server errors stay until their field changes; a new fieldErrors object shows them all again.
  const [dismissed, setDismissed] = useState<{ source: FieldErrors | undefined; fields: ReadonlySet<string> }>({
    source: fieldErrors,
    fields: new Set(),
  });
  const dismissedFields = dismissed.source === fieldErrors ? dismissed.fields : NO_FIELDS;
  const [renderedFields, registerField] = useRenderedParts();
  const [focusRequest, setFocusRequest] = useState(0);

  const setField = useCallback(
    <K extends ParameterFormFieldName>(name: K, next: ParameterFormValue[K]) => {
      setValue((previous) => ({ ...previous, [name]: next }));
      setDismissed((current) => {
        const fields = new Set(current.source === fieldErrors ? current.fields : []);
        fields.add(name);
        return { source: fieldErrors, fields };
      });
    },
    [setValue, fieldErrors],
  );

  const validation = useMemo(
    () => validateParameterForm(value, labels, seedUnreadable),
    [value, labels, seedUnreadable],
  );
  const errors = useMemo(() => {
    const merged: FieldErrors = {};
    for (const [name, messages] of Object.entries(fieldErrors ?? {})) {
      if (!dismissedFields.has(name) && messages.length > 0) merged[name] = [...messages];
    }
    if (attempted && validation.errors) {
      for (const [name, messages] of Object.entries(validation.errors)) {
        merged[name] = [...new Set([...(merged[name] ?? []), ...messages])];
      }
    }
    return merged;
  }, [fieldErrors, dismissedFields, attempted, validation.errors]);

  // Move focus to the first invalid field after a refused submit, or when server errors arrive.
  useEffect(() => {
    if (focusRequest === 0) return;
    const form = formRef.current;
    const invalid = form?.querySelector<HTMLElement>('[aria-invalid="true"]');
    if (!invalid) return;
    const target =
      invalid.matches('fieldset') || invalid.tabIndex < 0
        ? (invalid.querySelector<HTMLElement>('input:checked:not(:disabled), input:not(:disabled), button:not(:disabled), [tabindex="0"]') ?? invalid)
        : invalid;
    target.focus();
  }, [focusRequest]);

  useEffect(() => {
    if (fieldErrors && Object.keys(fieldErrors).length > 0) setFocusRequest((count) => count + 1);
  }, [fieldErrors]);

  const handleSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (submitting || disabled) return;
    setAttempted(true);
    if (validation.errors) {
      setFocusRequest((count) => count + 1);
      return;
    }
    onSubmit?.(validation.input);
  };

  const context = useMemo<ParameterFormContextValue>(
    () => ({ value, setField, errors, labels, disabled, submitting, baseId, setSeedUnreadable, registerField, renderedFields }),
    [value, setField, errors, labels, disabled, submitting, baseId, registerField, renderedFields],
  );
  const invalid = Object.keys(errors).length > 0;
  return (
    <ParameterFormContext.Provider value={context}>
      <form
        noValidate
        data-slot="parameter-form"
        data-unstyled={unstyledAttribute(unstyled)}
        data-state={submitting ? 'submitting' : invalid ? 'invalid' : 'idle'}
        data-disabled={flag(disabled)}
        aria-busy={submitting || undefined}
        {...rest}
        ref={composeRefs(ref, formRef)}
        onSubmit={handleSubmit}
      >
        {children}
      </form>
    </ParameterFormContext.Provider>
  );
}

export interface ParameterFormFieldProps extends ComponentPropsWithoutRef<'div'> {
  ref?: Ref<HTMLDivElement> | undefined;
}

/** The wrapper every field part renders: `data-slot="parameter-form-field"`, `data-field`, `data-invalid`. */
function FieldWrapper({
  name,
  invalid,
  disabled,
  children,
  ...rest
}: ParameterFormFieldProps & { name: string; invalid: boolean; disabled: boolean }) {
  return (
    <div data-slot="parameter-form-field" data-field={name} data-invalid={flag(invalid)} data-disabled={flag(disabled)} {...rest}>
      {children}
    </div>
  );
}

function FieldErrorText({ id, errors }: { id: string; errors: string[] }) {
  if (errors.length === 0) return null;
  return (
    <p id={id} data-slot="parameter-form-error">
      {errors.join(' ')}
    </p>
  );
}

/** "Prompt": a textarea with a character counter. */
function Prompt({ ref, ...rest }: ParameterFormFieldProps) {
  const { labels } = useFormContext('Prompt');
  const counterId = `${useFormContext('Prompt').baseId}-prompt-counter`;
  const field = useParameterFormField('prompt', { describedBy: counterId });
  return (
    <FieldWrapper name="prompt" invalid={field.errors.length > 0} disabled={field.disabled} {...rest} ref={ref}>
      <label htmlFor={field.id} data-slot="parameter-form-label">
        {labels.prompt}
      </label>
      <textarea
        {...field.controlProps}
        data-slot="parameter-form-control"
        rows={4}
        placeholder={labels.promptPlaceholder}
        value={field.value}
        onChange={(event) => field.setValue(event.target.value)}
      />
      <p id={counterId} data-slot="parameter-form-counter">
        {labels.promptCounter(field.value.length)}
      </p>
      <FieldErrorText id={field.errorId} errors={field.errors} />
    </FieldWrapper>
  );
}

function SelectField<K extends 'rendering_speed' | 'style_type' | 'magic_prompt_option'>({
  name,
  label,
  options,
  optionLabels,
  fieldProps,
}: {
  name: K;
  label: string;
  options: readonly ParameterFormValue[K][];
  optionLabels: Record<string, string>;
  fieldProps: ParameterFormFieldProps;
}) {
  const field = useParameterFormField(name);
  const { ref, ...rest } = fieldProps;
  return (
    <FieldWrapper name={name} invalid={field.errors.length > 0} disabled={field.disabled} {...rest} ref={ref}>
      <label htmlFor={field.id} data-slot="parameter-form-label">
        {label}
      </label>
      <select
        {...field.controlProps}
        data-slot="parameter-form-control"
        value={field.value}
        onChange={(event) => field.setValue(event.target.value as ParameterFormValue[K])}
      >
        {options.map((option) => (
          <option key={option} value={option}>
            {optionLabels[option] ?? option}
          </option>
        ))}
      </select>
      <FieldErrorText id={field.errorId} errors={field.errors} />
    </FieldWrapper>
  );
}

/** "Rendering speed": Default, Turbo or Quality. */
function RenderingSpeedField(props: ParameterFormFieldProps) {
  const { labels } = useFormContext('RenderingSpeed');
  return (
    <SelectField name="rendering_speed" label={labels.renderingSpeed} options={RENDERING_SPEEDS} optionLabels={labels.renderingSpeedOptions} fieldProps={props} />
  );
}

/** "Style": Auto, Fiction or Realistic. */
function StyleField(props: ParameterFormFieldProps) {
  const { labels } = useFormContext('Style');
  return <SelectField name="style_type" label={labels.style} options={STYLE_TYPES} optionLabels={labels.styleOptions} fieldProps={props} />;
}

/** "Magic prompt": Auto, On or Off. */
function MagicPromptField(props: ParameterFormFieldProps) {
  const { labels } = useFormContext('MagicPrompt');
  return (
    <SelectField name="magic_prompt_option" label={labels.magicPrompt} options={MAGIC_PROMPT_OPTIONS} optionLabels={labels.magicPromptOptions} fieldProps={props} />
  );
}

const SHAPE_LONG_EDGE_PX = 28;

/**
 * "Aspect ratio": a radio group whose choices are drawn as their shapes (a box with the
 * ratio's proportions, size in `--ic-ratio-width` / `--ic-ratio-height`). Disabled, with the
 * reason linked by `aria-describedby`, while a resolution is chosen.
 */
function AspectRatioField({ ref, ...rest }: ParameterFormFieldProps) {
  const { labels, value } = useFormContext('AspectRatio');
  const lockedBy = value.resolution !== 'None' ? value.resolution : null;
  const reasonId = `${useFormContext('AspectRatio').baseId}-aspect_ratio-locked`;
  const field = useParameterFormField('aspect_ratio', { describedBy: lockedBy ? reasonId : undefined });
  const legendId = `${field.id}-legend`;
  const disabled = field.disabled || lockedBy !== null;
  return (
    <FieldWrapper name="aspect_ratio" invalid={field.errors.length > 0} disabled={disabled} {...rest} ref={ref}>
      <fieldset
        role="radiogroup"
        aria-labelledby={legendId}
        aria-describedby={field.controlProps['aria-describedby']}
        aria-invalid={field.controlProps['aria-invalid']}
        disabled={disabled}
        data-slot="parameter-form-aspect-ratio"
        data-state={lockedBy ? 'locked' : 'open'}
      >
        <legend id={legendId} data-slot="parameter-form-label">
          {labels.aspectRatio}
        </legend>
        {ORDERED_ASPECT_RATIOS.map((ratio: AspectRatio) => {
          const [width, height] = ratioParts(ratio);
          const scale = SHAPE_LONG_EDGE_PX / Math.max(width, height);
          const checked = field.value === ratio;
          return (
            <label key={ratio} data-slot="parameter-form-ratio" data-state={checked ? 'checked' : 'unchecked'}>
              <input
                type="radio"
                name={field.id}
                value={ratio}
                checked={checked}
                onChange={() => field.setValue(ratio)}
                data-slot="parameter-form-ratio-input"
              />
              <span
                aria-hidden="true"
                data-slot="parameter-form-ratio-shape"
                style={
                  {
                    '--ic-ratio-width': `${Math.round(width * scale)}px`,
                    '--ic-ratio-height': `${Math.round(height * scale)}px`,
                  } as CSSProperties
                }
              />
              <span data-slot="parameter-form-ratio-label">{ratio}</span>
            </label>
          );
        })}
      </fieldset>
      {lockedBy && (
        <p id={reasonId} data-slot="parameter-form-description">
          {labels.aspectRatioLocked(lockedBy)}
        </p>
      )}
      <FieldErrorText id={field.errorId} errors={field.errors} />
    </FieldWrapper>
  );
}

/** "Resolution": `None` or an exact size, grouped as portrait, square and landscape. */
function ResolutionField({ ref, ...rest }: ParameterFormFieldProps) {
  const { labels } = useFormContext('Resolution');
  const field = useParameterFormField('resolution');
  const groups = useMemo(() => {
    const out = { portrait: [] as Resolution[], square: [] as Resolution[], landscape: [] as Resolution[] };
    for (const resolution of RESOLUTIONS) {
      const parts = resolutionParts(resolution);
      if (!parts) continue;
      out[parts[0] < parts[1] ? 'portrait' : parts[0] === parts[1] ? 'square' : 'landscape'].push(resolution);
    }
    return out;
  }, []);
  return (
    <FieldWrapper name="resolution" invalid={field.errors.length > 0} disabled={field.disabled} {...rest} ref={ref}>
      <label htmlFor={field.id} data-slot="parameter-form-label">
        {labels.resolution}
      </label>
      <select
        {...field.controlProps}
        data-slot="parameter-form-control"
        value={field.value}
        onChange={(event) => field.setValue(event.target.value as Resolution)}
      >
        <option value="None">{labels.resolutionNone}</option>
        {(['portrait', 'square', 'landscape'] as const).map((group) => (
          <optgroup key={group} label={labels.resolutionGroups[group]}>
            {groups[group].map((resolution) => {
              const [width, height] = resolutionParts(resolution) ?? [0, 0];
              return (
                <option key={resolution} value={resolution}>
                  {`${width} × ${height}`}
                </option>
              );
            })}
          </optgroup>
        ))}
      </select>
      <FieldErrorText id={field.errorId} errors={field.errors} />
    </FieldWrapper>
  );
}

function randomSeed(): number {
  if (typeof crypto !== 'undefined' && typeof crypto.getRandomValues === 'function') {
    return crypto.getRandomValues(new Uint32Array(1))[0]! % (MAX_SEED + 1);
  }
  return Math.floor(Math.random() * (MAX_SEED + 1));
}

/** "Seed": a number (empty means random) and a "Randomise seed" button. */
function SeedField({ ref, ...rest }: ParameterFormFieldProps) {
  const { labels, setSeedUnreadable } = useFormContext('Seed');
  const hintId = `${useFormContext('Seed').baseId}-seed-hint`;
  const field = useParameterFormField('seed', { describedBy: hintId });
  return (
    <FieldWrapper name="seed" invalid={field.errors.length > 0} disabled={field.disabled} {...rest} ref={ref}>
      <label htmlFor={field.id} data-slot="parameter-form-label">
        {labels.seed}
      </label>
      <input
        {...field.controlProps}
        data-slot="parameter-form-control"
        type="number"
        inputMode="numeric"
        min={0}
        max={MAX_SEED}
        step={1}
        placeholder={labels.seedPlaceholder}
        value={field.value ?? ''}
        onChange={(event) => {
          const text = event.target.value;
          setSeedUnreadable(event.target.validity.badInput);
          field.setValue(text === '' ? undefined : Number(text));
        }}
      />
      <button
        type="button"
        data-slot="parameter-form-randomise"
        disabled={field.disabled}
        onClick={() => {
          setSeedUnreadable(false);
          field.setValue(randomSeed());
        }}
      >
        {labels.randomiseSeed}
      </button>
      <p id={hintId} data-slot="parameter-form-description">
        {labels.seedHint}
      </p>
      <FieldErrorText id={field.errorId} errors={field.errors} />
    </FieldWrapper>
  );
}

/** "Number of images": 1 to 8. */
function NumberOfImagesField({ ref, ...rest }: ParameterFormFieldProps) {
  const { labels } = useFormContext('NumberOfImages');
  const field = useParameterFormField('numberOfImages');
  return (
    <FieldWrapper name="numberOfImages" invalid={field.errors.length > 0} disabled={field.disabled} {...rest} ref={ref}>
      <label htmlFor={field.id} data-slot="parameter-form-label">
        {labels.numberOfImages}
      </label>
      <select
        {...field.controlProps}
        data-slot="parameter-form-control"
        value={field.value}
        onChange={(event) => field.setValue(Number(event.target.value))}
      >
        {Array.from({ length: MAX_IMAGES }, (_, index) => index + 1).map((count) => (
          <option key={count} value={count}>
            {count}
          </option>
        ))}
      </select>
      <FieldErrorText id={field.errorId} errors={field.errors} />
    </FieldWrapper>
  );
}

export type ParameterFormReferenceProps = Omit<
  ReferenceUploaderProps,
  'value' | 'defaultValue' | 'onValueChange' | 'invalid' | 'aria-describedby'
> & {
  /** The wrapper's props (class, style). @default undefined */
  fieldProps?: ParameterFormFieldProps | undefined;
};

/**
 * The reference image, as a `ReferenceUploader` bound to `character_reference_image` (its
 * props pass through: `client`, `allowUpload`, `labels`, …), inside a group named
 * "Character reference".
 */
function Reference({ fieldProps, disabled, ...uploaderProps }: ParameterFormReferenceProps) {
  const { labels } = useFormContext('Reference');
  const field = useParameterFormField('character_reference_image');
  const legendId = `${field.id}-legend`;
  const { ref, ...wrapperProps } = fieldProps ?? {};
  return (
    <FieldWrapper name="character_reference_image" invalid={field.errors.length > 0} disabled={field.disabled} {...wrapperProps} ref={ref}>
      <fieldset aria-labelledby={legendId} data-slot="parameter-form-reference">
        <legend id={legendId} data-slot="parameter-form-label">
          {labels.reference}
        </legend>
        <ReferenceUploader
          {...uploaderProps}
          disabled={field.disabled || disabled}
          value={field.value}
          onValueChange={field.setValue}
          invalid={field.errors.length > 0}
          aria-describedby={field.errors.length > 0 ? field.errorId : undefined}
        />
      </fieldset>
      <FieldErrorText id={field.errorId} errors={field.errors} />
    </FieldWrapper>
  );
}

export interface ParameterFormSubmitProps extends ComponentPropsWithoutRef<'button'> {
  /** Render the user's button instead of a `button`. @default false */
  asChild?: boolean | undefined;
  ref?: Ref<HTMLButtonElement> | undefined;
}

/**
 * "Generate": submits the form. While `submitting` it is `aria-disabled` (a submit does nothing)
 * but stays focusable, so keyboard and screen-reader users keep their place; `disabled` disables
 * it. `data-state`: `idle | submitting`.
 */
function Submit({ asChild, children, ref, ...rest }: ParameterFormSubmitProps) {
  const { labels, submitting, disabled } = useFormContext('Submit');
  const Component = asChild ? Slot : 'button';
  return (
    <Component
      type="submit"
      data-slot="parameter-form-submit"
      data-state={submitting ? 'submitting' : 'idle'}
      disabled={disabled}
      aria-disabled={(submitting && !disabled) || undefined}
      {...rest}
      ref={ref as Ref<HTMLElement & HTMLButtonElement>}
    >
      {children ?? labels.submit}
    </Component>
  );
}

export interface ParameterFormErrorProps extends ComponentPropsWithoutRef<'div'> {
  ref?: Ref<HTMLDivElement> | undefined;
}

/**
 * Errors that belong to no rendered field (`_form`, or a field this layout leaves out), as
 * `role="alert"`. Nothing when there are none.
 */
function FormError({ ref, children, ...rest }: ParameterFormErrorProps) {
  const { errors, renderedFields } = useFormContext('FormError');
  const messages = Object.entries(errors)
    .filter(([name]) => !renderedFields[name])
    .flatMap(([, list]) => list);
  if (messages.length === 0 && !children) return null;
  return (
    <div role="alert" data-slot="parameter-form-form-error" {...rest} ref={ref}>
      {children ?? messages.map((message, index) => <p key={index}>{message}</p>)}
    </div>
  );
}

export interface ParameterFormProps extends Omit<ParameterFormRootProps, 'children'> {
  /** Render the reference uploader at the top of the form; `false` when the app supplies `character_reference_image` itself. @default true */
  showReference?: boolean | undefined;
  /** The client the reference uploader uploads through. @default the provider's client */
  client?: CharacterClient | undefined;
  /** Props for the reference uploader (`allowUpload`, `labels`, …). @default undefined */
  referenceProps?: ParameterFormReferenceProps | undefined;
  /** Extra content after the fields, before "Generate". @default undefined */
  children?: ReactNode;
}

/**
 * The ready form: reference image, prompt, rendering speed, style, magic prompt, aspect
 * ratio, resolution, seed, number of images and "Generate". For your own arrangement, use
 * `ParameterForm.Root` with the field parts in any order (or `useParameterFormField`).
 *
 * @example
 * <ParameterForm client={client} onSubmit={(input) => generate(input)} submitting={isSubmitting}
 *   fieldErrors={isCharacterApiError(error) ? error.fieldErrors : undefined} />
 */
function ParameterFormDefault({ showReference = true, client, referenceProps, children, ...rootProps }: ParameterFormProps) {
  return (
    <Root {...rootProps}>
      {showReference && <Reference client={client} {...referenceProps} />}
      <Prompt />
      <RenderingSpeedField />
      <StyleField />
      <MagicPromptField />
      <AspectRatioField />
      <ResolutionField />
      <SeedField />
      <NumberOfImagesField />
      {children}
      <FormError />
      <Submit />
    </Root>
  );
}

/**
 * The generation parameters form: `<ParameterForm />` ready-made, or `ParameterForm.Root`
 * with the field parts (`.Reference`, `.Prompt`, `.RenderingSpeed`, `.Style`, `.MagicPrompt`,
 * `.AspectRatio`, `.Resolution`, `.Seed`, `.NumberOfImages`, `.FormError`, `.Submit`) in any
 * order and any wrappers. Each field part renders one `data-slot="parameter-form-field"`
 * wrapper (`data-field` = the parameter name) with its label, control and error inside.
 *
 * @example
 * <ParameterForm.Root onSubmit={generate}>
 *   <MyTwoColumns left={<ParameterForm.Reference />} right={<ParameterForm.Prompt />} />
 *   <ParameterForm.AspectRatio />
 *   <ParameterForm.Submit asChild><MyButton /></ParameterForm.Submit>
 * </ParameterForm.Root>
 */
export const ParameterForm = Object.assign(ParameterFormDefault, {
  Root,
  Reference,
  Prompt,
  RenderingSpeed: RenderingSpeedField,
  Style: StyleField,
  MagicPrompt: MagicPromptField,
  AspectRatio: AspectRatioField,
  Resolution: ResolutionField,
  Seed: SeedField,
  NumberOfImages: NumberOfImagesField,
  FormError,
  Submit,
});
