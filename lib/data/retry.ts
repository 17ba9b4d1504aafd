/** Retry an async call with exponential backoff and jitter-free, deterministic delays (testable). */
export interface RetryOptions {
  readonly retries: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs?: number;
  /** Whether an error is transient (worth retrying). */
  readonly isRetryable: (e: unknown) => boolean;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly onRetry?: (attempt: number, delayMs: number, e: unknown) => void;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function withRetry<T>(fn: () => Promise<T>, opts: RetryOptions): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      if (attempt >= opts.retries || !opts.isRetryable(e)) throw e;
      const delay = Math.min(opts.maxDelayMs ?? 30_000, opts.baseDelayMs * 2 ** attempt);
      opts.onRetry?.(attempt + 1, delay, e);
      await (opts.sleep ?? sleep)(delay);
    }
  }
}
