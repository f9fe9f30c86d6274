export * from './schemas.js';
export * from './errors.js';
export * from './job-status.js';
export * from './types.js';
export { parseRetryAfter } from './http.js';
