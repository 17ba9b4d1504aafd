/**
 * Errors that name what was wrong. Every error the user can cause (bad config, bad file, bad request)
 * carries the field or location, the offending value and what is allowed, so the message alone is enough.
 */

/** A value that failed validation: `path` is a dotted field path such as `portfolio.max_position_size`. */
export class ValidationError extends Error {
  override readonly name = 'ValidationError';
  constructor(
    readonly path: string,
    readonly problem: string,
    readonly value?: unknown,
  ) {
    super(`${path}: ${value === undefined ? '' : `${formatValue(value)} `}${problem}`);
  }
}

/** A problem in a data file or stream, located by file, row (1-based, header = row 1) and field. */
export class DataError extends Error {
  override readonly name = 'DataError';
  constructor(
    readonly source: string,
    readonly row: number | null,
    readonly field: string | null,
    readonly problem: string,
  ) {
    super(`${source}${row === null ? '' : `:${row}`}${field === null ? '' : ` [${field}]`}: ${problem}`);
  }
}

/** A symbol the provider does not know. */
export class UnknownSymbolError extends Error {
  override readonly name = 'UnknownSymbolError';
  constructor(
    readonly symbol: string,
    readonly provider: string,
    detail?: string,
  ) {
    super(`unknown symbol "${symbol}" at ${provider}${detail ? `: ${detail}` : ''}`);
  }
}

export function formatValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  try {
    const s = JSON.stringify(value);
    return s.length > 80 ? `${s.slice(0, 77)}...` : s;
  } catch {
    return String(value);
  }
}
