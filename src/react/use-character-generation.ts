import {
  QueryClientContext,
  useMutation,
  useQuery,
  type Query,
  type QueryClient,
} from '@tanstack/react-query';
import { useCallback, useContext, useEffect, useInsertionEffect, useMemo, useRef, useState } from 'react';
import { CharacterApiError, isCharacterApiError, isTransientError } from '../core/errors.js';
import { isJobExpired, isTerminalStatus, msUntilExpiry } from '../core/job-status.js';
import type { CharacterInput, Job } from '../core/schemas.js';
import type { CharacterClient, PollPolicy } from '../core/types.js';
import {
  claimSlot,
  clearHandle,
  defaultGenerationStorage,
  holdsSlot,
  handleStorageKey,
  readHandle,
  summarizeInput,
  writeHandle,
  type GenerationHandle,
  type GenerationStorage,
  type PersistedInputSummary,
} from './persistence.js';
import { estimateProgress, isBusyStatus } from './progress.js';
import { useCharacterClient, useCharacterGenerationContext, useFallbackQueryClient } from './provider.js';
import { useLatest } from './use-latest.js';

/**
 * Where a generation is: `idle → submitting → pending → processing → completed | failed |
 * expired | canceled`. `expired` also covers "stopped waiting at the deadline".
 */
export type GenerationStatus =
  | 'idle'
  | 'submitting'
  | 'pending'
  | 'processing'
  | 'completed'
  | 'failed'
  | 'expired'
  | 'canceled';

/** Options of `useCharacterGeneration`. Each one overrides the provider's setting of the same name. */
export interface UseCharacterGenerationOptions {
  /** Talk to this proxy endpoint instead of the provider's. @default the provider's endpoint */
  endpoint?: string;
  /** A ready client to use instead of the provider's. @default the provider's client */
  client?: CharacterClient;
  /** The poll schedule for this hook. @default the provider's, else the client's `pollPolicy` */
  pollPolicy?: PollPolicy;
  /** Stop waiting this many ms after submit, after one last look at the job exactly then; if it still runs, the generation ends as `expired` (error code `timeout`). Only this hook stops: other hooks watching the same job keep their own deadlines. A hook that starts watching after its deadline (a page reloaded late, a remount, `resume` with an old `startedAt`) first asks, for up to a minute through network, 5xx and 429 errors or a request that never answers, so a job that finished meanwhile still shows its images; and when another hook's poll later sees the job completed, this one shows it completed too (`onCompleted` then follows its `onError`): paid images are never hidden. @default 600000 (10 minutes) */
  deadlineMs?: number;
  /** Keep the submitted job's handle so it survives unmounts and page reloads (one handle per `id`: the newest generation's). @default true */
  persist?: boolean;
  /** Where the handle is kept. @default the provider's storage, else `sessionStorage` in the browser */
  storage?: GenerationStorage;
  /** Tells two generators on one page apart (each keeps its own handle); hooks with the same `id` share the handle, and in one QueryClient they watch its job with one series of polls. @default 'default' */
  id?: string;
  /** Called once when the upstream accepted a job (status `pending`), with that job. @default undefined */
  onSubmitted?: (job: Job) => void;
  /** Called once per status change, with the new and the previous status. @default undefined */
  onStatusChange?: (status: GenerationStatus, previous: GenerationStatus) => void;
  /** Called once when the job completed, with its images in `job.images`. @default undefined */
  onCompleted?: (job: Job) => void;
  /** Called once when the generation ends as `failed` or `expired` (not for transient errors, not for `cancel`). @default undefined */
  onError?: (error: CharacterApiError) => void;
}

/** What `useCharacterGeneration` returns. */
export interface UseCharacterGenerationResult {
  /** Where the generation is. @default 'idle' */
  status: GenerationStatus;
  /** The job as last seen (normalised); `null` before submit and after `reset`. @default null */
  job: Job | null;
  /** The job's image URLs once `completed`, else an empty array. @default [] */
  images: string[];
  /** Why the generation ended as `failed` or `expired`; `null` otherwise. @default null */
  error: CharacterApiError | null;
  /** The last network, 5xx or 429 error that polling is riding out (the job may still finish); `null` once a poll succeeds. @default null */
  transientError: CharacterApiError | null;
  /** Estimated completion from 0 to 1 (from the expected duration), as of this render; never 1 before `completed`. For a ticking value use `useGenerationProgress`. @default 0 */
  progress: number;
  /** When the job was submitted (ms since the epoch); `null` when idle. @default null */
  startedAt: number | null;
  /** When the generation ended (ms since the epoch), where known. @default null */
  finishedAt: number | null;
  /** Milliseconds from submit to now while busy, or to the end once it ended (0 where the end is unknown), as of this render. @default 0 */
  elapsedMs: number;
  /** How long the poll policy expects this job to take, in ms. @default the policy's estimate for the rendering speed (≈ 17.5 s for Default) */
  expectedDurationMs: number;
  /** What was asked for (prompt, reference, size, count, speed); also after a reload. @default null */
  input: PersistedInputSummary | null;
  /** True while `submitting`, `pending` or `processing`. @default false */
  isBusy: boolean;
  /** Submit a generation; errors show in `status`/`error`. A second call while submitting is ignored (one job, one charge). */
  generate: (input: CharacterInput) => void;
  /** Submit and get the accepted job (status `pending`); while submitting, returns the same promise. Rejects `CharacterApiError`. */
  generateAsync: (input: CharacterInput) => Promise<Job>;
  /** Stop watching, abort requests in flight and end as `canceled`. Credits already charged are not refunded: the upstream job keeps running. Does nothing when nothing is running or once the generation ended (`completed`, `failed`, `expired` stay as they are). */
  cancel: () => void;
  /** Forget the generation (and its saved handle) and go back to `idle`; aborts requests in flight. */
  reset: () => void;
  /** Watch an existing job by id (e.g. one submitted elsewhere). `startedAt` (ms since the epoch) improves progress, counts the deadline from the submit, and lets the poll policy learn from the job's duration. Each call is a new watch that reports the job's ending, also for a job this hook already reported. */
  resume: (jobId: string, options?: { startedAt?: number; input?: PersistedInputSummary }) => void;
}

/** The react-query key of a job: `['ideogram-character', 'job', endpoint, jobId]`. */
export function characterJobQueryKey(endpoint: string, jobId: string | null) {
  return ['ideogram-character', 'job', endpoint, jobId] as const;
}

/** @default for `deadlineMs`: the same 10 minutes `client.waitForJob` uses when a job carries no expiry. */
export const DEFAULT_DEADLINE_MS = 10 * 60 * 1000;

const EMPTY_IMAGES: string[] = [];
/** Longest pause between polls after repeated failures (the client's own `waitForJob` uses the same). */
const MAX_ERROR_BACKOFF_MS = 30_000;
/**
 * A hook that starts watching after its deadline (a page reloaded late, a remount, a resume)
 * asks the job before it decides, for up to this long: through network, 5xx and 429 errors, or
 * a request that never answers.
 */
const LATE_CHECK_MS = 60_000;
/**
 * A hook that watched before its deadline takes one last look exactly at it (as
 * `client.waitForJob` does) and waits for that answer for up to this long before it ends
 * `expired` (`timeout`): a job that completed in the last poll interval still shows its images.
 */
const LAST_LOOK_MS = 10_000;

type Local =
  | { kind: 'idle' }
  /**
   * `since`: when this hook started watching (a reload after the deadline watches from after
   * it); `gaveUp`: this hook has shown its deadline's timeout for this job.
   */
  | { kind: 'watching'; handle: GenerationHandle; since: number; gaveUp?: true }
  | { kind: 'canceled'; handle: GenerationHandle | null; job: Job | null; at: number };

interface SubmitVariables {
  input: CharacterInput;
  idempotencyKey: string;
  startedAt: number;
  epoch: number;
  /** This submit's claim on the storage slot (see `claimSlot`). */
  claim: number;
  controller: AbortController;
  client: CharacterClient;
  storage: GenerationStorage | undefined;
  storageKey: string;
}

function newIdempotencyKey(): string {
  const c = globalThis.crypto;
  if (c && typeof c.randomUUID === 'function') return c.randomUUID();
  // Non-secure contexts have no randomUUID; uniqueness, not secrecy, is what matters here.
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}-${Math.random().toString(36).slice(2)}`;
}

function toApiError(error: unknown): CharacterApiError {
  if (isCharacterApiError(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new CharacterApiError('invalid_response', message, { cause: error });
}

/** Resolved only in handlers and effects: never on the server, never during render. */
function storageOf(l: { persist: boolean; explicitStorage: GenerationStorage | undefined }): GenerationStorage | undefined {
  return l.persist ? (l.explicitStorage ?? defaultGenerationStorage()) : undefined;
}

function isRideableError(error: CharacterApiError | null): boolean {
  return error === null || error.code === 'aborted' || isTransientError(error);
}

/** What `isPastDeadline` reads of the job query's state. */
interface WatchedState {
  data?: Job | undefined;
  error: CharacterApiError | null;
  dataUpdatedAt: number;
  errorUpdatedAt?: number | undefined;
}

/**
 * Whether a hook has stopped waiting: its own `deadlineMs` since its handle's start has passed
 * and the job, as last seen, is still running. Each hook decides for itself (hooks sharing a
 * job may have different deadlines and starts), so one hook giving up never ends the others.
 * `completed` always wins (paid images are never hidden); an expiry keeps its own error. A hook
 * that gave up (`gaveUp`: it has shown the timeout) stays `expired` when the job fails later
 * (one ending, one `onError`). A hook that started watching after its deadline first asks (see
 * `isAskingLate`) and shows what the job did: its images, its failure, or `expired` if it runs on.
 */
function isPastDeadline(
  handle: GenerationHandle,
  deadlineMs: number,
  watch: { since: number; gaveUp?: true | undefined },
  state: WatchedState | undefined,
  now: number,
): boolean {
  const deadlineAt = handle.startedAt + deadlineMs;
  if (now < deadlineAt) return false;
  if (!state || isAskingLate(deadlineAt, watch.since, state, now) || isTakingLastLook(deadlineAt, watch, state, now)) return false;
  if (state.data?.status === 'completed') return false;
  const ending = state.error && !isRideableError(state.error) ? state.error : null;
  if (ending?.code === 'expired') return false;
  // Still running as last seen; or it ended after this hook had given up.
  return watch.gaveUp === true || !(ending || state.data?.status === 'failed');
}

/**
 * Whether a hook that watched before its deadline is still waiting for its last look: no
 * answer (data or error) from at or after the deadline yet, for up to `LAST_LOOK_MS`.
 */
function isTakingLastLook(deadlineAt: number, watch: { since: number; gaveUp?: true | undefined }, state: WatchedState, now: number): boolean {
  if (watch.since >= deadlineAt || watch.gaveUp || now >= deadlineAt + LAST_LOOK_MS) return false;
  return Math.max(state.dataUpdatedAt, state.errorUpdatedAt ?? 0) < deadlineAt;
}

/**
 * Whether a hook that started watching after its deadline (`since`) is still asking the job
 * before it decides: no answer since then yet (the cache may hold an old one), for up to
 * `LATE_CHECK_MS`; network, 5xx and 429 errors meanwhile are ridden out as usual.
 */
function isAskingLate(deadlineAt: number, since: number, state: WatchedState, now: number): boolean {
  if (since < deadlineAt || now - since >= LATE_CHECK_MS) return false;
  if (state.data !== undefined && (state.dataUpdatedAt >= since || isTerminalStatus(state.data.status))) return false;
  return isRideableError(state.error);
}

/**
 * The submit on its way per storage slot (`handleStorageKey`), kept outside any QueryClient: a
 * hook mounted while it is in flight picks its job up when it lands, also when the hook that
 * started it came with a QueryClient of its own that went away with it (a provider without an
 * app QueryClient, as `CharacterGenerator endpoint=…` renders, makes a new one at every mount).
 */
const submitsInFlight = new Map<string, Promise<Job>>();

// Consecutive transient failures per error thrown by a poll: the only polling state react-query
// lacks, kept with the job query's own state so that every hook watching the job reads the same.
const failureCounts = new WeakMap<object, number>();
function consecutiveFailures(error: CharacterApiError | null): number {
  return error ? (failureCounts.get(error) ?? 0) : 0;
}
// The last failure per job query while it has no data: react-query clears `error` when such a
// query fetches again, and the count (and the shown `transientError`) would start over at every try.
const failuresWithoutData = new WeakMap<object, CharacterApiError>();
/** The last failure of a job query with no data yet, also while its next try is in flight (then its `error` is null). */
function lastFailureWithoutData(queryClient: QueryClient, endpoint: string, jobId: string): CharacterApiError | null {
  const cached = queryClient.getQueryCache().find({ queryKey: characterJobQueryKey(endpoint, jobId), exact: true });
  return (cached && failuresWithoutData.get(cached)) ?? null;
}

/**
 * The wait before the next poll: the policy's, cut short so a poll lands on the expiry; none
 * once the next poll would come after this hook's deadline. A function of the job query's state alone, counted from its last answer (not from
 * "now"): every hook watching the job, at every render, arrives at the same moment, so the
 * hooks share one request and a re-render never moves a poll.
 */
function nextPollDelay(
  query: Query<Job, CharacterApiError>,
  handle: GenerationHandle,
  policy: PollPolicy,
  deadlineMs: number,
  since: number,
): number | false {
  const { data, error, dataUpdateCount, errorUpdateCount, dataUpdatedAt, errorUpdatedAt, fetchStatus } = query.state;
  // A poll is on its way; its answer schedules the next one (no timer spinning meanwhile).
  if (fetchStatus === 'fetching') return false;
  if (!isRideableError(error)) return false;
  if (data && isTerminalStatus(data.status)) return false;
  const now = Date.now();
  const answeredAt = Math.max(dataUpdatedAt, errorUpdatedAt) || now;
  const elapsedMs = answeredAt - handle.startedAt;
  let delay = policy.next({
    attempt: Math.max(0, dataUpdateCount + errorUpdateCount - 1),
    elapsedMs,
    status: data?.status ?? 'pending',
    ...(error?.retryAfterMs !== undefined ? { retryAfterMs: error.retryAfterMs } : {}),
    ...(handle.input?.rendering_speed ? { renderingSpeed: handle.input.rendering_speed } : {}),
  });
  if (error?.retryAfterMs !== undefined) delay = Math.max(delay, error.retryAfterMs);
  // Back off on repeated failures, as `client.waitForJob` does.
  const failures = consecutiveFailures(error);
  if (failures > 0) delay = Math.max(delay, Math.min(MAX_ERROR_BACKOFF_MS, 500 * 2 ** (failures - 1)));
  // The last answer's expiry, else the one saved from the submit (status answers may omit it).
  const untilExpiry = msUntilExpiry({ expiresAt: data?.expiresAt ?? handle.expiresAt }, answeredAt);
  if (untilExpiry !== undefined) delay = Math.min(delay, Math.max(0, untilExpiry));
  // This hook gives up at its deadline (see `isPastDeadline`) after one last look exactly there;
  // a poll after that would be wasted, unless it started watching after it and is still asking.
  if (elapsedMs + delay >= deadlineMs && !isAskingLate(handle.startedAt + deadlineMs, since, query.state, now)) {
    if (elapsedMs >= deadlineMs) return false;
    delay = deadlineMs - elapsedMs;
  }
  return Math.max(1, Math.ceil(answeredAt + delay - now));
}

/**
 * One status request, refused without a request once the job expired. No deadline here: the
 * query is shared by every hook watching the job, and each hook keeps its own.
 */
async function pollJob(
  client: CharacterClient,
  handle: GenerationHandle,
  previous: Job | undefined,
  signal: AbortSignal,
): Promise<Job> {
  const now = Date.now();
  const { jobId } = handle;
  // The last answer knows the expiry best; the saved handle knows it after a reload, or when
  // status answers leave it out.
  const known = { expiresAt: previous?.expiresAt ?? handle.expiresAt };
  if (isJobExpired(known, now)) {
    throw new CharacterApiError('expired', 'The job expired before it finished.', { jobId });
  }
  try {
    return await client.getJob(jobId, { signal });
  } catch (caught) {
    const error = toApiError(caught);
    // 410 Gone, or "unknown job" once its expiry passed: the job expired, it did not fail.
    const gone =
      error.status === 410 ||
      (error.code === 'not_found' && isJobExpired(known, Date.now()));
    if (gone) throw new CharacterApiError('expired', 'The job has expired.', { jobId, status: error.status, cause: error });
    throw error;
  }
}

/**
 * Submit an Ideogram Character generation and watch it to the end: `useMutation` for the submit,
 * `useQuery` for the job with `refetchInterval` from the poll policy. Transient errors (network,
 * 5xx, 429) never fail the generation: polling goes on and `transientError` shows the last one.
 * The job's handle is saved (sessionStorage by default), so an unmounted or reloaded page picks
 * the job up again. `cancel()` stops watching but does not refund credits.
 *
 * @example
 * function Generate() {
 *   const generation = useCharacterGeneration({ onCompleted: (job) => console.log(job.images) })
 *   return (
 *     <>
 *       <button
 *         disabled={generation.isBusy}
 *         onClick={() => generation.generate({ prompt: 'at the beach', character_reference_image: url })}
 *       >
 *         Generate
 *       </button>
 *       <p>{generation.status}</p>
 *       {generation.images.map((src) => <img key={src} src={src} alt="" />)}
 *     </>
 *   )
 * }
 */
export function useCharacterGeneration(options: UseCharacterGenerationOptions = {}): UseCharacterGenerationResult {
  const context = useCharacterGenerationContext();
  const client = useCharacterClient({
    ...(options.client ? { client: options.client } : {}),
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
  });
  const queryClient = useFallbackQueryClient(useContext(QueryClientContext)) as QueryClient;
  const policy = options.pollPolicy ?? context?.pollPolicy ?? client.pollPolicy;
  const deadlineMs = options.deadlineMs ?? DEFAULT_DEADLINE_MS;
  const persist = options.persist ?? context?.persist ?? true;
  const explicitStorage = options.storage ?? context?.storage;
  const storageKey = handleStorageKey(client.endpoint, options.id);

  const [local, setLocal] = useState<Local>({ kind: 'idle' });
  const handle = local.kind === 'watching' ? local.handle : null;
  const watchingSince = local.kind === 'watching' ? local.since : 0;
  const gaveUp = local.kind === 'watching' ? local.gaveUp : undefined;

  // Everything handlers and effects read, always current (no stale closures, stable callbacks).
  const latest = useLatest({ client, queryClient, policy, deadlineMs, persist, explicitStorage, storageKey, handle, watchingSince, gaveUp, options });
  const epochRef = useRef(0);
  const inflightRef = useRef<{ promise: Promise<Job>; controller: AbortController } | null>(null);
  /** Whether this hook waits for one answer to decide (`isAskingLate`, `isTakingLastLook`): then an answer with unchanged data renders too. */
  const decidingRef = useRef(false);

  const submitKey = useMemo(
    () => ['ideogram-character', 'submit', client.endpoint, options.id ?? 'default'] as const,
    [client.endpoint, options.id],
  );
  const mutation = useMutation<Job, CharacterApiError, SubmitVariables>(
    {
      mutationKey: submitKey,
      mutationFn: async (vars) => {
        try {
          return await vars.client.submit(vars.input, {
            signal: vars.controller.signal,
            idempotencyKey: vars.idempotencyKey,
          });
        } catch (error) {
          throw toApiError(error);
        }
      },
      // Runs even if the component unmounted meanwhile: the job is saved, and a remount resumes it.
      onSuccess: (job, vars) => {
        if (epochRef.current !== vars.epoch) return; // canceled or replaced while submitting
        const next: GenerationHandle = {
          jobId: job.jobId,
          startedAt: vars.startedAt,
          endpoint: vars.client.endpoint,
          input: summarizeInput(vars.input),
        };
        if (job.expiresAt) next.expiresAt = job.expiresAt;
        // A newer generation in the same slot (say, a remounted hook's own submit) keeps its handle.
        if (holdsSlot(vars.storage, vars.storageKey, vars.claim)) writeHandle(vars.storage, vars.storageKey, next);
        // Seed the job query with the submit answer, so the first poll waits for the policy.
        latest.current.queryClient.setQueryData(characterJobQueryKey(vars.client.endpoint, job.jobId), job);
        setLocal({ kind: 'watching', handle: next, since: Date.now() });
        latest.current.options.onSubmitted?.(job);
      },
      retry: false,
      networkMode: 'always',
      throwOnError: false,
    },
    queryClient,
  );

  // Hooks watching the same job (same endpoint and job id) share this query and its polls.
  const query = useQuery<Job, CharacterApiError>(
    {
      queryKey: characterJobQueryKey(client.endpoint, handle?.jobId ?? null),
      enabled: handle !== null,
      queryFn: async ({ signal, queryKey }) => {
        if (!handle) throw new CharacterApiError('aborted', 'No job to watch.');
        const cached = queryClient.getQueryCache().find<Job, CharacterApiError>({ queryKey, exact: true });
        const before = cached?.state;
        const previous = before?.error ?? (cached && failuresWithoutData.get(cached)) ?? null;
        let next: Job;
        try {
          next = await pollJob(client, handle, before?.data, signal);
        } catch (error) {
          if (isTransientError(error)) {
            failureCounts.set(error, consecutiveFailures(previous) + 1);
            if (cached && before?.data === undefined) failuresWithoutData.set(cached, error);
          } else if (cached) failuresWithoutData.delete(cached);
          throw error;
        }
        if (cached) failuresWithoutData.delete(cached);
        if (next.status === 'completed' && before?.data && !isTerminalStatus(before.data.status) && !handle.startEstimated) {
          // Teach the policy: done when seen, and after the last answer that said "running"
          // (a job first seen after a reload says nothing about when it finished, and a job
          // resumed by id without its start says nothing of how long it ran: not observed).
          const seenAt = Date.now() - handle.startedAt;
          const lastRunningAt = Math.max(0, before.dataUpdatedAt - handle.startedAt);
          policy.observe(seenAt, handle.input?.rendering_speed, Math.min(lastRunningAt, seenAt));
        }
        return next;
      },
      refetchInterval: (q) => (handle ? nextPollDelay(q, handle, policy, deadlineMs, watchingSince) : false),
      // The poll schedule does the retrying; react-query's own retry would double it.
      retry: false,
      // A job keeps running in a background tab; the schedule, not focus or reconnect, decides.
      refetchIntervalInBackground: true,
      refetchOnWindowFocus: false,
      refetchOnReconnect: false,
      staleTime: Infinity,
      networkMode: 'always',
      throwOnError: false,
      // Unchanged poll answers keep the same `data` (structural sharing) and cause no render.
      // While deciding, an answer renders even when the job did not change: it ends the wait.
      notifyOnChangeProps: () => (decidingRef.current ? ['data', 'error', 'dataUpdatedAt'] : ['data', 'error']),
    },
    queryClient,
  );

  // ---- derive the public state -------------------------------------------------------------
  const queryError = handle ? (query.error as CharacterApiError | null) : null;
  const now = Date.now();
  let timedOut = false;
  let status: GenerationStatus = 'idle';
  let job: Job | null = null;
  let error: CharacterApiError | null = null;
  let transientError: CharacterApiError | null = null;
  let finishedAt: number | null = null;
  let startedAt: number | null = null;
  let input: PersistedInputSummary | null = null;
  const watched: WatchedState = { data: query.data, error: queryError, dataUpdatedAt: query.dataUpdatedAt, errorUpdatedAt: query.errorUpdatedAt };
  const watch = { since: watchingSince, gaveUp };

  if (local.kind === 'canceled') {
    status = 'canceled';
    job = local.job;
    startedAt = local.handle?.startedAt ?? null;
    input = local.handle?.input ?? null;
    finishedAt = local.at;
  } else if (mutation.isPending) {
    status = 'submitting';
    startedAt = mutation.variables?.startedAt ?? null;
    input = mutation.variables ? summarizeInput(mutation.variables.input) : null;
  } else if (mutation.isError) {
    status = 'failed';
    error = mutation.error;
    startedAt = mutation.variables?.startedAt ?? null;
    input = mutation.variables ? summarizeInput(mutation.variables.input) : null;
  } else if (handle) {
    job = query.data ?? null;
    startedAt = handle.startedAt;
    input = handle.input ?? null;
    if (isPastDeadline(handle, deadlineMs, watch, watched, now)) {
      status = 'expired';
      timedOut = true;
      finishedAt = handle.startedAt + deadlineMs;
    } else if (queryError && !isRideableError(queryError)) {
      status = queryError.code === 'expired' || queryError.code === 'timeout' ? 'expired' : 'failed';
      error = queryError;
      finishedAt = query.errorUpdatedAt || null;
    } else {
      status = job?.status ?? 'pending';
      const trouble = queryError ?? (job === null ? lastFailureWithoutData(queryClient, client.endpoint, handle.jobId) : null);
      if (trouble && isTransientError(trouble)) transientError = trouble;
      if (status === 'completed' || status === 'failed') finishedAt = query.dataUpdatedAt || null;
    }
  }

  // Errors the hook makes itself (a failed job, its own deadline), kept stable across renders.
  const failedJob = status === 'failed' && job?.status === 'failed' ? job : null;
  const timedOutJobId = timedOut ? handle!.jobId : null;
  const ownError = useMemo(
    () =>
      failedJob
        ? new CharacterApiError('job_failed', failedJob.error ?? 'The job failed.', { jobId: failedJob.jobId })
        : timedOutJobId
          ? new CharacterApiError('timeout', `Stopped waiting for the job after ${Math.round(deadlineMs / 1000)} s.`, { jobId: timedOutJobId })
          : null,
    [failedJob, timedOutJobId, deadlineMs],
  );
  if (ownError) error = ownError;
  const busy = isBusyStatus(status);
  const ownDeadlineAt = handle ? handle.startedAt + deadlineMs : 0;
  const askingLate = handle !== null && busy && isAskingLate(ownDeadlineAt, watchingSince, watched, now);
  const takingLastLook = handle !== null && busy && now >= ownDeadlineAt && isTakingLastLook(ownDeadlineAt, watch, watched, now);
  useInsertionEffect(() => {
    decidingRef.current = askingLate || takingLastLook;
  });
  if (busy) finishedAt = null;

  // Render once more at this hook's deadline: it may end the generation without any answer
  // arriving (the hook's own polls stop at its last look, see `nextPollDelay`); once more when
  // that last look goes unanswered (`isTakingLastLook`); for a hook that started watching after
  // it, once its late check is over (`isAskingLate`).
  const deadlineAt =
    handle && busy
      ? takingLastLook
        ? ownDeadlineAt + LAST_LOOK_MS
        : Math.max(ownDeadlineAt, watchingSince >= ownDeadlineAt ? watchingSince + LATE_CHECK_MS : 0)
      : null;
  useEffect(() => {
    const wait = (deadlineAt ?? Infinity) - Date.now();
    // (No deadline, or one beyond what a timer can hold: about 24.8 days.)
    if (!(wait < 2 ** 31)) return;
    const timer = setTimeout(() => setLocal((current) => ({ ...current })), Math.max(0, wait) + 1);
    return () => clearTimeout(timer);
  }, [deadlineAt]);
  // Once this hook has shown its timeout, a failure seen later does not change its ending.
  useEffect(() => {
    if (timedOut) setLocal((current) => (current.kind === 'watching' && !current.gaveUp ? { ...current, gaveUp: true } : current));
  }, [timedOut]);

  const images = status === 'completed' && job ? job.images : EMPTY_IMAGES;
  const expectedDurationMs = policy.expectedDurationMs(input?.rendering_speed);
  const elapsedMs = startedAt === null ? 0 : Math.max(0, (busy ? now : (finishedAt ?? startedAt)) - startedAt);
  const progress = estimateProgress(status, elapsedMs, expectedDurationMs);

  // ---- actions -----------------------------------------------------------------------------
  /** Abort what is in flight and forget the current job (the saved handle too). */
  const stop = useCallback(() => {
    const l = latest.current;
    epochRef.current += 1;
    inflightRef.current?.controller.abort();
    inflightRef.current = null;
    mutation.reset();
    if (l.handle) {
      const key = characterJobQueryKey(l.handle.endpoint, l.handle.jobId);
      void l.queryClient.cancelQueries({ queryKey: key });
      l.queryClient.removeQueries({ queryKey: key, exact: true });
    }
    const storage = storageOf(l);
    // Whatever comes next (nothing, a new submit, a resumed job) is newer than any submit in flight.
    claimSlot(storage, l.storageKey);
    clearHandle(storage, l.storageKey);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- `mutation.reset` is stable; `latest` is a ref
  }, [mutation.reset]);

  const generateAsync = useCallback(
    (nextInput: CharacterInput): Promise<Job> => {
      // A double click (or a re-render's second call) joins the submit in flight: one job, one key.
      if (inflightRef.current) return inflightRef.current.promise;
      const l = latest.current;
      stop();
      setLocal({ kind: 'idle' });
      const controller = new AbortController();
      const storage = storageOf(l);
      const promise = mutation.mutateAsync({
        input: nextInput,
        idempotencyKey: newIdempotencyKey(),
        startedAt: Date.now(),
        epoch: epochRef.current,
        claim: claimSlot(storage, l.storageKey),
        controller,
        client: l.client,
        storage,
        storageKey: l.storageKey,
      });
      const entry = { promise, controller };
      inflightRef.current = entry;
      const slot = l.storageKey;
      submitsInFlight.set(slot, promise);
      const done = () => {
        if (inflightRef.current === entry) inflightRef.current = null;
        if (submitsInFlight.get(slot) === promise) submitsInFlight.delete(slot);
      };
      promise.then(done, done);
      return promise;
    },
    // eslint-disable-next-line react-hooks/exhaustive-deps -- `mutateAsync` is stable; `latest` is a ref
    [mutation.mutateAsync, stop],
  );

  const generate = useCallback(
    (nextInput: CharacterInput) => {
      generateAsync(nextInput).catch(() => {
        // Shown through `status` and `error` (and `onError`).
      });
    },
    [generateAsync],
  );

  const cancel = useCallback(() => {
    const l = latest.current;
    const busy = inflightRef.current !== null || l.handle !== null;
    if (!busy) return;
    const watched = l.handle;
    const last = watched
      ? l.queryClient.getQueryState<Job, CharacterApiError>(characterJobQueryKey(watched.endpoint, watched.jobId))
      : undefined;
    const lastJob = last?.data ?? null;
    // Completed, failed and expired are final: `canceled` means "stopped while still running".
    // A poll error that ended the generation (expiry, deadline, 404, 401…) ended it as well.
    if (lastJob && isTerminalStatus(lastJob.status)) return;
    if (last?.error && !isRideableError(last.error)) return;
    if (watched && isPastDeadline(watched, l.deadlineMs, { since: l.watchingSince, gaveUp: l.gaveUp }, last, Date.now())) return;
    stop();
    setLocal({ kind: 'canceled', handle: watched, job: lastJob, at: Date.now() });
  }, [latest, stop]);

  const reset = useCallback(() => {
    stop();
    setLocal({ kind: 'idle' });
  }, [stop]);

  const resume = useCallback(
    (jobId: string, resumeOptions: { startedAt?: number; input?: PersistedInputSummary } = {}) => {
      const l = latest.current;
      stop();
      const next: GenerationHandle = {
        jobId,
        startedAt: resumeOptions.startedAt ?? Date.now(),
        endpoint: l.client.endpoint,
        ...(resumeOptions.input ? { input: resumeOptions.input } : {}),
        ...(resumeOptions.startedAt === undefined ? { startEstimated: true } : {}),
      };
      // Fresh answers for an explicit resume, not whatever the cache last held.
      l.queryClient.removeQueries({ queryKey: characterJobQueryKey(next.endpoint, jobId), exact: true });
      writeHandle(storageOf(l), l.storageKey, next);
      setLocal({ kind: 'watching', handle: next, since: Date.now() });
    },
    // eslint-disable-next-line react-hooks/exhaustive-deps -- `latest` is a ref
    [stop],
  );

  // ---- resume a saved job on mount (effects never run on the server) ------------------------
  useEffect(() => {
    const l = latest.current;
    const resumeSaved = () => {
      const stored = readHandle(storageOf(l), storageKey);
      if (!stored || stored.endpoint !== l.client.endpoint) return false;
      setLocal((current) => (current.kind === 'idle' && !inflightRef.current ? { kind: 'watching', handle: stored, since: Date.now() } : current));
      return true;
    };
    if (resumeSaved()) return;
    // A submit started before an unmount may still be on its way: pick its job up when it lands
    // (its handle is saved by then).
    const earlier = submitsInFlight.get(storageKey);
    if (!earlier) return;
    let mounted = true;
    const land = () => void (mounted && resumeSaved());
    earlier.then(land, () => {});
    return () => {
      mounted = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- re-read only when the slot changes
  }, [storageKey, persist, explicitStorage]);

  // ---- callbacks: once per event, from the committed state ----------------------------------
  const snapshot = useLatest({ job, error, handle });
  const reported = useRef<{ status: GenerationStatus; jobId: string | null }>({ status: 'idle', jobId: null });
  const jobId = handle?.jobId ?? null;
  useEffect(() => {
    const previous = reported.current;
    if (previous.status === status && previous.jobId === jobId) return;
    reported.current = { status, jobId };
    const l = latest.current;
    const s = snapshot.current;
    const callbacks = l.options;
    if (previous.status !== status) callbacks.onStatusChange?.(status, previous.status);
    const ended = status === 'completed' || status === 'failed' || status === 'expired';
    if (!ended) return;
    const watched = s.handle;
    // Reported before a reload or remount: the job's own ending, for every hook of the slot; a
    // hook's timeout, for a hook that started watching past its own deadline too, except the images of a job that
    // completed after all (paid images are always reported once).
    const saved = watched?.settled;
    if (saved === 'timeout') {
      // (A hook that started watching before its own deadline has reported nothing yet.)
      if (status !== 'completed' && l.watchingSince >= watched!.startedAt + l.deadlineMs) return;
    } else if (saved) return;
    if (watched) {
      const ending = s.error?.code === 'timeout' ? 'timeout' : (status as 'completed' | 'failed' | 'expired');
      const storage = storageOf(l);
      const current = readHandle(storage, l.storageKey);
      // Only mark the slot if it still holds this job, and never a job's own ending as a timeout.
      if (current?.jobId === watched.jobId && !(ending === 'timeout' && current.settled && current.settled !== 'timeout')) {
        writeHandle(storage, l.storageKey, { ...watched, settled: ending });
      }
    }
    if (status === 'completed' && s.job) callbacks.onCompleted?.(s.job);
    else if (status !== 'completed' && s.error) callbacks.onError?.(s.error);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- `latest` and `snapshot` are refs
  }, [status, jobId]);

  return {
    status,
    job,
    images,
    error,
    transientError,
    progress,
    startedAt,
    finishedAt,
    elapsedMs,
    expectedDurationMs,
    input,
    isBusy: busy,
    generate,
    generateAsync,
    cancel,
    reset,
    resume,
  };
}
