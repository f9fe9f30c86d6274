export * from './schemas.js';
export * from './errors.js';
export * from './job-status.js';
export * from './types.js';
export { parseRetryAfter } from './http.js';
export { createPollPolicy, PRIOR_DURATIONS_MS, type PollPolicyOptions } from './poll-policy.js';
export { createCharacterClient, createIdempotencyKey, JOB_ID_PATTERN, DEFAULT_WAIT_DEADLINE_MS, DEFAULT_STATUS_TIMEOUT_MS } from './client.js';
