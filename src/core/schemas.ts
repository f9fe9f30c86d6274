import * as z from 'zod/mini';
import { finiteNumber, oneOf, wholeNumber } from './checks.js';
import { isHttpUrl } from './url.js';

export { isHttpUrl };

/** How fast (and how carefully) the model renders. */
export const RENDERING_SPEEDS = ['Default', 'Turbo', 'Quality'] as const;
/** The overall look of the image. */
export const STYLE_TYPES = ['Auto', 'Fiction', 'Realistic'] as const;
/** Width:height ratios the model accepts. Ignored when a `resolution` is chosen. */
export const ASPECT_RATIOS = [
  '1:3', '3:1', '1:2', '2:1', '9:16', '16:9', '10:16', '16:10', '2:3', '3:2', '3:4', '4:3', '4:5', '5:4', '1:1',
] as const;
/** `None`, or an exact output size in pixels (width x height); a size overrides `aspect_ratio`. */
export const RESOLUTIONS = [
  'None',
  '512x1536', '576x1408', '576x1472', '576x1536', '640x1344', '640x1408', '640x1472', '640x1536',
  '704x1152', '704x1216', '704x1280', '704x1344', '704x1408', '704x1472', '736x1312', '768x1088',
  '768x1216', '768x1280', '768x1344', '800x1280', '832x960', '832x1024', '832x1088', '832x1152',
  '832x1216', '832x1248', '864x1152', '896x960', '896x1024', '896x1088', '896x1120', '896x1152',
  '960x832', '960x896', '960x1024', '960x1088', '1024x832', '1024x896', '1024x960', '1024x1024',
  '1088x768', '1088x832', '1088x896', '1088x960', '1120x896', '1152x704', '1152x832', '1152x864',
  '1152x896', '1216x704', '1216x768', '1216x832', '1248x832', '1280x704', '1280x768', '1280x800',
  '1312x736', '1344x640', '1344x704', '1344x768', '1408x576', '1408x640', '1408x704', '1472x576',
  '1472x640', '1472x704', '1536x512', '1536x576', '1536x640',
] as const;
/** Whether Ideogram rewrites the prompt before rendering. */
export const MAGIC_PROMPT_OPTIONS = ['Auto', 'On', 'Off'] as const;

export type RenderingSpeed = (typeof RENDERING_SPEEDS)[number];
export type StyleType = (typeof STYLE_TYPES)[number];
export type AspectRatio = (typeof ASPECT_RATIOS)[number];
export type Resolution = (typeof RESOLUTIONS)[number];
export type MagicPromptOption = (typeof MAGIC_PROMPT_OPTIONS)[number];

/** The largest seed the model accepts. */
export const MAX_SEED = 2_147_483_647;
/** How many images one job may produce. */
export const MAX_IMAGES = 8;
/** The largest reference image the model accepts, in bytes (10 MB). */
export const MAX_REFERENCE_BYTES = 10 * 1024 * 1024;
/** Reference image types the model accepts. */
export const REFERENCE_IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/webp'] as const;
export type ReferenceImageType = (typeof REFERENCE_IMAGE_TYPES)[number];

/** The values the upstream uses when a parameter is left out. */
export const DEFAULT_PARAMETERS = {
  rendering_speed: 'Default',
  style_type: 'Auto',
  aspect_ratio: '1:1',
  resolution: 'None',
  magic_prompt_option: 'Auto',
  numberOfImages: 1,
} as const satisfies Partial<CharacterInput>;

/** An absolute http(s) URL. */
export const httpUrlSchema = z.string().check(
  z.refine(isHttpUrl, { message: 'Must be an http:// or https:// URL' }),
);

/**
 * The parameters of one Ideogram Character generation. Strict: an unknown field is an
 * error here, before it costs a request (the upstream rejects it too).
 */
export const characterInputSchema = z.strictObject({
  prompt: z.string().check(
    z.refine((value) => value.trim().length > 0, { message: 'Enter a prompt' }),
  ),
  character_reference_image: httpUrlSchema,
  rendering_speed: oneOf(RENDERING_SPEEDS),
  style_type: oneOf(STYLE_TYPES),
  aspect_ratio: oneOf(ASPECT_RATIOS),
  resolution: oneOf(RESOLUTIONS),
  magic_prompt_option: oneOf(MAGIC_PROMPT_OPTIONS),
  seed: z.optional(wholeNumber(0, MAX_SEED, `Seed must be a whole number from 0 to ${MAX_SEED}`)),
  numberOfImages: z.optional(wholeNumber(1, MAX_IMAGES, `Must be a whole number from 1 to ${MAX_IMAGES}`)),
});

/** The parameters of one generation, as sent upstream. */
export type CharacterInput = z.infer<typeof characterInputSchema>;

/** Statuses a job can have once normalised. Unknown upstream statuses count as `processing`. */
export const JOB_STATUSES = ['pending', 'processing', 'completed', 'failed'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

/** A generation job, normalised from whatever shape the upstream answered with. */
export interface Job {
  /** The upstream job id, `job_…`. */
  jobId: string;
  /** `pending`, `processing`, `completed` or `failed`; unknown statuses read as `processing`. */
  status: JobStatus;
  /** Output image URLs (http/https only); empty until `completed`. */
  images: string[];
  /** Credits this job cost. */
  creditCost?: number;
  /** Credits left on the account after this job was charged. */
  creditsRemaining?: number;
  /** ISO time after which the job and its image URLs are gone. */
  expiresAt?: string;
  /** Why the job failed, when `status` is `failed`. */
  error?: string;
}

/*
 * The error values below are checked by small predicates inside `z.custom` rather than by
 * `z.union`/`z.record`: same accepted values and types, about 1.2 kB gzipped less for every
 * app that imports the client (bench:size).
 */
const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isString = (value: unknown): value is string => typeof value === 'string';
const isNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);
const isCode = (value: unknown) => isString(value) || isNumber(value);
const optional = (value: unknown, check: (value: unknown) => boolean) => value === undefined || check(value);
const isFieldErrors = (value: unknown) =>
  isRecord(value) && Object.values(value).every((messages) => Array.isArray(messages) && messages.every(isString));

const errorValueSchema = z.custom<string | { [key: string]: unknown; message?: string; code?: string | number }>(
  (value) => isString(value) || (isRecord(value) && optional(value.message, isString) && optional(value.code, isCode)),
  { message: 'Expected a message or { message }' },
);

const imageUrlSchema = httpUrlSchema;

/**
 * A list whose items each pass `item`; a bad item is reported at its own index
 * (`output.images[1]`, `assets[0].url`). Does what `z.array` does for these two lists, for
 * 0.4 kB gzipped less in every app that imports the client (bench:size).
 */
const listOf = <T>(item: z.ZodMiniType<T>) =>
  z.custom<T[]>(Array.isArray, { message: 'Expected a list' }).check(
    z.check<T[]>((ctx) =>
      ctx.value.forEach((value, index) => {
        const result = z.safeParse(item, value);
        if (!result.success) {
          for (const { path, message } of result.error.issues) ctx.issues.push({ code: 'custom', input: value, path: [index, ...path], message });
        }
      }),
    ),
  );
const numberSchema = finiteNumber();

/**
 * A job or submit answer as it comes over the wire. Loose: the upstream adds fields, and
 * has been seen to put images in `output.images`, `output.image` or `assets[].url`.
 */
export const wireJobSchema = z.looseObject({
  jobId: z.string().check(z.refine((value) => value.length > 0, { message: 'Expected a job id' })),
  status: z.optional(z.string()),
  statusUrl: z.optional(z.string()),
  output: z.optional(
    z.nullable(
      z.looseObject({
        images: z.optional(z.nullable(listOf(imageUrlSchema))),
        image: z.optional(z.nullable(imageUrlSchema)),
      }),
    ),
  ),
  assets: z.optional(z.nullable(listOf(z.looseObject({ url: imageUrlSchema })))),
  creditCost: z.optional(z.nullable(numberSchema)),
  creditsRemaining: z.optional(z.nullable(numberSchema)),
  expiresAt: z.optional(z.nullable(z.string())),
  error: z.optional(z.nullable(errorValueSchema)),
});
export type WireJob = z.infer<typeof wireJobSchema>;

/** Normalise a parsed wire job to `Job`: one status vocabulary, one place for images. */
export function normalizeJob({ jobId, status, output, assets, creditCost, creditsRemaining, expiresAt, error }: WireJob): Job {
  const job: Job = {
    jobId,
    status: status === undefined ? 'pending' : JOB_STATUSES.includes(status as JobStatus) ? (status as JobStatus) : 'processing',
    images: [...new Set([...(output?.images ?? []), ...(output?.image ? [output.image] : []), ...(assets ?? []).map((asset) => asset.url)])],
  };
  if (typeof creditCost === 'number') job.creditCost = creditCost;
  if (typeof creditsRemaining === 'number') job.creditsRemaining = creditsRemaining;
  if (expiresAt) job.expiresAt = expiresAt;
  if (error) job.error = typeof error === 'string' ? error : (error.message ?? 'The job failed');
  return job;
}

/** The one error body shape the proxy (and the simulator) answer with. */
export const errorBodySchema = z.looseObject({
  error: z.custom<
    | string
    | {
        [key: string]: unknown;
        code?: string | number;
        message?: string;
        status?: number;
        fieldErrors?: Record<string, string[]>;
        retryAfterMs?: number;
      }
  >(
    (value) =>
      isString(value) ||
      (isRecord(value) &&
        optional(value.code, isCode) &&
        optional(value.message, isString) &&
        optional(value.status, isNumber) &&
        optional(value.fieldErrors, isFieldErrors) &&
        optional(value.retryAfterMs, isNumber)),
    { message: 'Expected a message or an error object' },
  ),
});
export type ErrorBody = z.infer<typeof errorBodySchema>;

/** An upload answer: `201 { url, expiresAt? }`. */
export const uploadResultSchema = z.looseObject({
  url: httpUrlSchema,
  expiresAt: z.optional(z.string()),
});
export type UploadResult = z.infer<typeof uploadResultSchema>;

/** Field name → messages, from zod issues: what forms show next to each field. */
export type FieldErrors = Record<string, string[]>;

/** Group zod issues by their top-level field; issues with no path go under `_form`. */
export function toFieldErrors(issues: ReadonlyArray<{ path: PropertyKey[]; message: string; code?: string; keys?: string[] }>): FieldErrors {
  // A Map, not `{}`: a field named `__proto__` (sent by anyone) must become a field, not the prototype.
  const out = new Map<string, string[]>();
  for (const issue of issues) {
    const keys = issue.code === 'unrecognized_keys' && issue.keys?.length ? issue.keys : [issue.path.length ? String(issue.path[0]) : '_form'];
    for (const key of keys) {
      const message = issue.code === 'unrecognized_keys' ? `Unknown field "${key}"` : issue.message;
      const messages = out.get(key);
      if (messages) messages.push(message);
      else out.set(key, [message]);
    }
  }
  return Object.fromEntries(out);
}

/** Render an issue path the way people read it: `output.images[1]`. */
export function formatIssuePath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out || '(root)';
}
