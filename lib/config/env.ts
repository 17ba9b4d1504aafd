/**
 * Secrets and deployment settings come from the environment (or a git-ignored .env), never from committed
 * files. Variables already set in the process environment win over .env.
 */
import { existsSync, readFileSync } from 'node:fs';
import { ValidationError } from '../core/errors.js';

export interface Secrets {
  readonly alpacaKeyId: string | null;
  readonly alpacaSecretKey: string | null;
  /** Alpaca paper endpoint unless ALPACA_PAPER is exactly "false". */
  readonly alpacaPaper: boolean;
  readonly apiToken: string | null;
  readonly port: number | null;
}

export const ENV_VARS = {
  alpacaKeyId: 'ALPACA_API_KEY_ID',
  alpacaSecretKey: 'ALPACA_API_SECRET_KEY',
  alpacaPaper: 'ALPACA_PAPER',
  apiToken: 'TSTRADER_API_TOKEN',
  port: 'PORT',
} as const;

/** Parse KEY=VALUE lines (# comments, optional quotes). */
export function parseDotEnv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!m) continue;
    let v = m[2].trim();
    if ((v.startsWith('"') && v.endsWith('"')) || (v.startsWith("'") && v.endsWith("'"))) v = v.slice(1, -1);
    else v = v.replace(/\s+#.*$/, '');
    out[m[1]] = v;
  }
  return out;
}

/** The environment with a .env file (if present) filled in underneath it. */
export function environment(dotEnvPath = '.env', env: NodeJS.ProcessEnv = process.env): Record<string, string | undefined> {
  const file = existsSync(dotEnvPath) ? parseDotEnv(readFileSync(dotEnvPath, 'utf8')) : {};
  return { ...file, ...env };
}

export function readSecrets(env: Record<string, string | undefined>): Secrets {
  const s = (k: string) => {
    const v = env[k];
    return v === undefined || v.trim() === '' ? null : v.trim();
  };
  const portText = s(ENV_VARS.port);
  let port: number | null = null;
  if (portText !== null) {
    port = Number(portText);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ValidationError(ENV_VARS.port, 'is not a port (0-65535)', portText);
  }
  const paper = s(ENV_VARS.alpacaPaper);
  if (paper !== null && paper !== 'true' && paper !== 'false') throw new ValidationError(ENV_VARS.alpacaPaper, 'must be "true" or "false"', paper);
  return {
    alpacaKeyId: s(ENV_VARS.alpacaKeyId),
    alpacaSecretKey: s(ENV_VARS.alpacaSecretKey),
    alpacaPaper: paper !== 'false',
    apiToken: s(ENV_VARS.apiToken),
    port,
  };
}
