import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import {
  ASPECT_RATIOS,
  RESOLUTIONS,
  characterInputSchema,
  errorBodySchema,
  normalizeJob,
  toFieldErrors,
  wireJobSchema,
  CharacterApiError,
  isTransientError,
} from '../../src/core/index.js';

const valid = { prompt: 'a knight in a rainy alley', character_reference_image: 'https://example.com/me.png' };

describe('characterInputSchema', () => {
  it('accepts the minimal input and every documented enum value', () => {
    expect(z.safeParse(characterInputSchema, valid).success).toBe(true);
    for (const aspect_ratio of ASPECT_RATIOS) {
      expect(z.safeParse(characterInputSchema, { ...valid, aspect_ratio }).success).toBe(true);
    }
    expect(RESOLUTIONS).toHaveLength(70);
    expect(RESOLUTIONS[0]).toBe('None');
  });

  it('given an unknown field, rejects it before any request and names the field', () => {
    const result = z.safeParse(characterInputSchema, { ...valid, guidance: 7 });
    expect(result.success).toBe(false);
    expect(toFieldErrors(result.error!.issues)).toEqual({ guidance: ['Unknown field "guidance"'] });
  });

  it('refuses blank prompts, non-http references and out-of-range numbers, field by field', () => {
    const result = z.safeParse(characterInputSchema, {
      prompt: '   ',
      character_reference_image: 'javascript:alert(1)',
      seed: 2_147_483_648,
      numberOfImages: 9,
    });
    expect(result.success).toBe(false);
    expect(Object.keys(toFieldErrors(result.error!.issues)).sort()).toEqual(
      ['character_reference_image', 'numberOfImages', 'prompt', 'seed'],
    );
  });
});

describe('normalizeJob', () => {
  it.each([
    ['output.images', { output: { images: ['https://cdn.test/a.png'] } }],
    ['output.image', { output: { image: 'https://cdn.test/a.png' } }],
    ['assets[].url', { assets: [{ url: 'https://cdn.test/a.png' }] }],
  ])('given images in %s, normalises them to images[]', (_shape, extra) => {
    const wire = z.parse(wireJobSchema, { jobId: 'job_1', status: 'completed', ...extra });
    expect(normalizeJob(wire).images).toEqual(['https://cdn.test/a.png']);
  });

  it('reads an unknown status as still running and an error object as its message', () => {
    const wire = z.parse(wireJobSchema, { jobId: 'job_1', status: 'queued', error: { message: 'nope' } });
    expect(normalizeJob(wire)).toMatchObject({ status: 'processing', error: 'nope' });
  });

  it('refuses image URLs that are not http(s)', () => {
    const result = z.safeParse(wireJobSchema, { jobId: 'job_1', status: 'completed', output: { images: ['javascript:alert(1)'] } });
    expect(result.success).toBe(false);
    expect(result.error!.issues[0]!.path).toEqual(['output', 'images', 0]);
  });
});

describe('errorBodySchema', () => {
  it('accepts both error shapes the upstream and the proxy answer with', () => {
    for (const body of [
      { error: 'Prompt failed the safety check' },
      { error: { code: 422, message: 'Invalid', status: 422, fieldErrors: { seed: ['Too big'] }, retryAfterMs: 1000, extra: true } },
      { error: { code: 'insufficient_credits' } },
      { error: {} },
    ]) {
      expect(z.safeParse(errorBodySchema, body).success).toBe(true);
    }
  });

  it('refuses bodies whose known fields have the wrong type', () => {
    for (const body of [
      {},
      { error: 42 },
      { error: null },
      { error: ['x'] },
      { error: { message: 5 } },
      { error: { code: true } },
      { error: { status: '500' } },
      { error: { retryAfterMs: Number.NaN } },
      { error: { fieldErrors: { seed: 'Too big' } } },
      { error: { fieldErrors: { seed: [1] } } },
    ]) {
      expect(z.safeParse(errorBodySchema, body).success).toBe(false);
    }
  });
});

describe('wireJobSchema error values', () => {
  it('refuses an error object whose message is not a string', () => {
    expect(z.safeParse(wireJobSchema, { jobId: 'job_1', status: 'failed', error: { message: 5 } }).success).toBe(false);
    expect(z.safeParse(wireJobSchema, { jobId: '', status: 'failed' }).success).toBe(false);
  });

  it('refuses seeds and image counts that are not whole numbers', () => {
    const result = z.safeParse(characterInputSchema, { ...valid, seed: 1.5, numberOfImages: 2.5 });
    expect(result.success).toBe(false);
    expect(Object.keys(toFieldErrors(result.error!.issues)).sort()).toEqual(['numberOfImages', 'seed']);
  });
});

describe('isTransientError', () => {
  it.each([
    ['a network failure', new CharacterApiError('network', 'offline'), true],
    ['a rate limit', new CharacterApiError('rate_limited', 'slow down', { status: 429 }), true],
    ['a 502 from a gateway', new CharacterApiError('upstream', 'bad gateway', { status: 502 }), true],
    ['a 408', new CharacterApiError('upstream', 'timeout', { status: 408 }), true],
    ['a 405 page from a wrong route', new CharacterApiError('upstream', 'not allowed', { status: 405 }), false],
    ['a failed job', new CharacterApiError('job_failed', 'nope'), false],
    ['an expired job', new CharacterApiError('expired', 'gone', { status: 410 }), false],
    ['a plain Error', new Error('x'), false],
  ])('given %s, says whether waiting may help (%s)', (_name, error, expected) => {
    expect(isTransientError(error)).toBe(expected);
  });
});
