/** An upstream answer the proxy can replay: status, safe headers and a JSON body. */
export interface Outcome {
  status: number;
  headers: [string, string][];
  body: unknown;
}

interface Entry {
  /** The validated input, serialised: a reused key with other parameters is refused. */
  fingerprint: string;
  createdAt: number;
  /** Settles with the upstream's answer (successful or not); never rejects. */
  outcome: Promise<Outcome>;
  /** Aborts the shared upstream request once every waiting client has gone. */
  controller: AbortController;
  waiters: number;
  settled: boolean;
}

/**
 * Idempotency-Key → first answer, for `ttlMs`. Concurrent duplicates share the one in-flight
 * upstream request; answers that are not 2xx are forgotten so a retry goes upstream again.
 * Memory is bounded by `maxEntries` (oldest evicted first; a Map keeps insertion order).
 */
export class IdempotencyCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /** The live entry for this key, if any. */
  get(key: string): Entry | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (Date.now() - entry.createdAt >= this.ttlMs) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  /** Start the upstream request for a new key. */
  start(key: string, fingerprint: string, run: (signal: AbortSignal) => Promise<Outcome>): Entry {
    const controller = new AbortController();
    const entry: Entry = { fingerprint, createdAt: Date.now(), outcome: run(controller.signal), controller, waiters: 0, settled: false };
    this.entries.delete(key);
    this.entries.set(key, entry);
    void entry.outcome.then((outcome) => {
      entry.settled = true;
      if ((outcome.status < 200 || outcome.status > 299) && this.entries.get(key) === entry) this.entries.delete(key);
    });
    this.prune();
    return entry;
  }

  /** Wait for an entry's answer on behalf of one client; the upstream request is aborted only when all have left. */
  async join(entry: Entry, signal: AbortSignal): Promise<Outcome> {
    entry.waiters++;
    const leave = () => {
      entry.waiters--;
      if (entry.waiters === 0 && !entry.settled) entry.controller.abort(signal.reason);
    };
    if (signal.aborted) leave();
    else signal.addEventListener('abort', leave, { once: true });
    try {
      return await entry.outcome;
    } finally {
      signal.removeEventListener('abort', leave);
    }
  }

  private prune(): void {
    const now = Date.now();
    for (const [key, entry] of this.entries) {
      if (this.entries.size <= this.maxEntries && now - entry.createdAt < this.ttlMs) break;
      this.entries.delete(key);
    }
  }
}
