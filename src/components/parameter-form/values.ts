import {
  ASPECT_RATIOS,
  characterInputSchema,
  DEFAULT_PARAMETERS,
  toFieldErrors,
  type AspectRatio,
  type CharacterInput,
  type FieldErrors,
  type MagicPromptOption,
  type RenderingSpeed,
  type Resolution,
  type StyleType,
} from '../../core/schemas.js';

/** What the form edits: every parameter, with `seed` undefined for "random". */
export interface ParameterFormValue {
  /** The scene to render the character in. */
  prompt: string;
  /** The reference image URL (`''` until one is chosen). */
  character_reference_image: string;
  /** `Default`, `Turbo` or `Quality`. */
  rendering_speed: RenderingSpeed;
  /** `Auto`, `Fiction` or `Realistic`. */
  style_type: StyleType;
  /** Width:height; ignored when a `resolution` other than `None` is chosen. */
  aspect_ratio: AspectRatio;
  /** `None`, or an exact size that overrides `aspect_ratio`. */
  resolution: Resolution;
  /** `Auto`, `On` or `Off`. */
  magic_prompt_option: MagicPromptOption;
  /** A fixed seed, or undefined for a random one. */
  seed: number | undefined;
  /** How many images, 1–8. */
  numberOfImages: number;
}

/** The form's starting value: an empty prompt and reference, the upstream defaults otherwise. */
export const defaultParameterFormValue: ParameterFormValue = {
  prompt: '',
  character_reference_image: '',
  ...DEFAULT_PARAMETERS,
  seed: undefined,
};

/** The form's fields, in the default order. */
export type ParameterFormFieldName = keyof ParameterFormValue;

/**
 * The clean input for `submit`: the prompt and reference trimmed; `aspect_ratio` only when no
 * resolution is chosen (a resolution overrides it) and `resolution` only when it is not `None`;
 * `seed` only when one is set. No other keys, so the strict upstream accepts it.
 *
 * @example
 * client.submit(toCharacterInput(formValue))
 */
export function toCharacterInput(value: ParameterFormValue): CharacterInput {
  const input: CharacterInput = {
    prompt: value.prompt.trim(),
    character_reference_image: value.character_reference_image.trim(),
    rendering_speed: value.rendering_speed,
    style_type: value.style_type,
    magic_prompt_option: value.magic_prompt_option,
    numberOfImages: value.numberOfImages,
  };
  if (value.resolution !== 'None') input.resolution = value.resolution;
  else input.aspect_ratio = value.aspect_ratio;
  if (value.seed !== undefined && !Number.isNaN(value.seed)) input.seed = value.seed;
  return input;
}

/** Messages the form's own checks use instead of the schema's generic ones. */
export interface ParameterFormValidationMessages {
  /** No reference image yet. */
  referenceRequired: string;
  /** The seed is not a whole number. */
  seedNotInteger: string;
}

/** Validates with the core `characterInputSchema`; field errors keyed by parameter name. */
export function validateParameterForm(
  value: ParameterFormValue,
  messages: ParameterFormValidationMessages,
  seedUnreadable = false,
): { input: CharacterInput; errors: FieldErrors | null } {
  const input = toCharacterInput(value);
  const result = characterInputSchema.safeParse(input);
  const errors: FieldErrors = result.success ? {} : toFieldErrors(result.error.issues);
  if (input.character_reference_image === '') errors.character_reference_image = [messages.referenceRequired];
  if (seedUnreadable || (input.seed !== undefined && !Number.isInteger(input.seed))) errors.seed = [messages.seedNotInteger];
  return { input, errors: Object.keys(errors).length > 0 ? errors : null };
}

/** Width and height of an aspect ratio, e.g. `16:9` → 16, 9. */
export function ratioParts(ratio: AspectRatio): [number, number] {
  const [width, height] = ratio.split(':').map(Number);
  return [width ?? 1, height ?? 1];
}

/** Aspect ratios from the tallest to the widest, so the shapes read as a row. */
export const ORDERED_ASPECT_RATIOS: readonly AspectRatio[] = [...ASPECT_RATIOS].sort((a, b) => {
  const [aw, ah] = ratioParts(a);
  const [bw, bh] = ratioParts(b);
  return aw / ah - bw / bh;
});

/** Width and height of a resolution such as `1024x768`; null for `None`. */
export function resolutionParts(resolution: Resolution): [number, number] | null {
  if (resolution === 'None') return null;
  const [width, height] = resolution.split('x').map(Number);
  return [width ?? 0, height ?? 0];
}
