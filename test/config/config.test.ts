import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, loadSettings, parseConfig, parseDotEnv, readSecrets } from '../../lib/config/index.js';

const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
const file = (text: string) => {
  const p = join(dir, `c${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(p, text);
  return p;
};
const msg = (doc: unknown) => {
  try {
    parseConfig(doc);
  } catch (e) {
    return (e as Error).message;
  }
  return 'no error';
};

describe('config.yaml', () => {
  it('the committed config is valid and paper trading on the offline data', () => {
    const c = loadConfig('config.yaml');
    expect(c.broker.provider).toBe('paper');
    expect(c.broker.live).toBe(false);
    expect(c.data.provider).toBe('synthetic');
    expect(c.portfolio).toMatchObject({ max_position_size: 0.1, max_daily_loss: 0.02, stop_loss: 0.05, take_profit: 0.1 });
    expect(c.api.host).toBe('127.0.0.1');
  });

  it('an empty file gets every default', () => {
    const c = loadConfig(file(''));
    expect(c.strategy.ml.confidence_threshold).toBe(0.6);
    expect(c.strategy.ml.label).toEqual({ horizon: 1, threshold: 0.005 });
    expect(c.portfolio.max_open_positions).toBe(10);
  });

  it('names the path, the value and what is allowed', () => {
    expect(msg({ portfolio: { max_position_size: 1.7 } })).toBe('portfolio.max_position_size: 1.7 is not in (0, 1] (in config)');
    expect(msg({ portfolio: { max_daily_loss: 0 } })).toBe('portfolio.max_daily_loss: 0 is not in (0, 1] (in config)');
    expect(msg({ data: { provider: 'bloomberg' } })).toBe('data.provider: "bloomberg" is not allowed; expected one of "synthetic", "yahoo", "csv", "alpaca" (in config)');
    expect(msg({ api: { port: 70000 } })).toBe('api.port: 70000 is not a port (0-65535) (in config)');
    expect(msg({ data: { symbols: 'AAPL' } })).toBe('data.symbols: "AAPL" must be a list (in config)');
    expect(msg({ strategy: { sma_crossover: { fast: 30, slow: 10 } } })).toBe('strategy.sma_crossover.fast: 30 must be less than sma_crossover.slow (in config)');
    expect(msg({ portfolio: { max_postion_size: 0.1 } })).toMatch(/^portfolio\.max_postion_size: is not a known setting; allowed here: initial_cash, .*max_position_size/);
  });

  it('reports every problem at once, each with its path', () => {
    const m = msg({ portfolio: { max_position_size: 1.7, max_postion_size: 0.1 }, api: { port: 70000 }, strategy: { ml: { features: ['rsi14'] } }, broker: { secret_key: 'x' } });
    expect(m.split('\n')).toEqual([
      '5 problems in config:',
      '  broker.secret_key: looks like a secret: secrets are read only from the environment or .env (see .env.template), never from config files (in config)',
      '  portfolio.max_position_size: 1.7 is not in (0, 1] (in config)',
      expect.stringMatching(/^ {2}portfolio\.max_postion_size: is not a known setting; allowed here: /),
      '  api.port: 70000 is not a port (0-65535) (in config)',
      expect.stringMatching(/^ {2}strategy\.ml\.features\[0\]: "rsi14" is not a feature; valid names: .* \(in config\)$/),
    ]);
  });

  it('strategy.active is the one strategy the runner trades', () => {
    expect(parseConfig({}).strategy.active).toBe('ml');
    expect(parseConfig({ strategy: { active: 'sma-crossover' } }).strategy.active).toBe('sma-crossover');
    expect(parseConfig({ strategy: { active: ['buy-and-hold'] } }).strategy.active).toBe('buy-and-hold'); // the older list form
    expect(msg({ strategy: { active: ['ml', 'sma-crossover'] } })).toBe('strategy.active: ["ml","sma-crossover"] must be one strategy: one of ml, sma-crossover, buy-and-hold (the runner trades one) (in config)');
    expect(msg({ strategy: { active: 'magic' } })).toMatch(/^strategy\.active: "magic" must be one strategy/);
  });

  it('settings nothing read are gone: portfolio.currency and development.* are refused', () => {
    expect(msg({ portfolio: { currency: 'USD' } })).toMatch(/^portfolio\.currency: is not a known setting/);
    expect(msg({ development: { debug: true } })).toMatch(/^development: is not a known setting/);
    // live polling has one setting, runner.schedule_seconds (a tick fetches only once a bar can be complete)
    expect(msg({ data: { refresh: { daily_minutes: 60 } } })).toMatch(/^data\.refresh: is not a known setting/);
  });

  it('dates are calendar dates', () => {
    expect(parseConfig({ data: { start: '2020-02-29' } }).data.start).toBe('2020-02-29');
    expect(msg({ data: { start: '2020-02-30' } })).toBe('data.start: "2020-02-30" must be a date YYYY-MM-DD (in config)');
    expect(msg({ data: { end: 'soon' } })).toBe('data.end: "soon" must be a date YYYY-MM-DD (in config)');
  });

  it('data.timezone must be an IANA zone', () => {
    expect(parseConfig({}).data.timezone).toBe('America/New_York');
    expect(parseConfig({ data: { timezone: 'Europe/London' } }).data.timezone).toBe('Europe/London');
    expect(msg({ data: { timezone: 'EST5' } })).toBe('data.timezone: "EST5" is not an IANA time zone such as America/New_York (in config)');
  });

  it('checks feature names against the feature registry', () => {
    expect(msg({ strategy: { ml: { features: ['rsi_14', 'rsi14'] } } })).toMatch(/^strategy\.ml\.features\[1\]: "rsi14" is not a feature; valid names: .*rsi_14/);
    expect(msg({ strategy: { ml: { features: ['rsi_14'] } } })).toBe('no error');
  });

  it('refuses secrets in the file', () => {
    expect(msg({ broker: { alpaca_api_key: 'PK123' } })).toMatch(/^broker\.alpaca_api_key: looks like a secret/);
  });

  it('reports unreadable files and broken YAML by path', () => {
    expect(() => loadConfig(join(dir, 'none.yaml'))).toThrow(/none\.yaml: cannot read config file/);
    expect(() => loadConfig(file('portfolio: [unclosed'))).toThrow(/is not valid YAML/);
  });
});

describe('secrets from the environment', () => {
  it('parses .env text', () => {
    expect(parseDotEnv('# c\nA=1\nexport B="two words"\nC=x # note\n\nD=')).toEqual({ A: '1', B: 'two words', C: 'x', D: '' });
  });
  it('defaults to the paper endpoint and validates PORT', () => {
    expect(readSecrets({})).toEqual({ alpacaKeyId: null, alpacaSecretKey: null, alpacaPaper: true, apiToken: null, port: null });
    expect(readSecrets({ ALPACA_PAPER: 'false', TSTRADER_API_TOKEN: 't' })).toMatchObject({ alpacaPaper: false, apiToken: 't' });
    expect(() => readSecrets({ PORT: 'x' })).toThrow('PORT: "x" is not a port (0-65535)');
    expect(() => readSecrets({ ALPACA_PAPER: 'yes' })).toThrow(/ALPACA_PAPER: "yes" must be "true" or "false"/);
  });
  it('PORT overrides api.port', () => {
    expect(loadSettings('config.yaml', { PORT: '9123' }).config.api.port).toBe(9123);
    expect(loadSettings('config.yaml', {}).config.api.port).toBe(8080);
  });
});
