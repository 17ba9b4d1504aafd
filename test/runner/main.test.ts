/** The runner process: starts on an offline config, serves the API at once, stops cleanly on SIGTERM and resumes. */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(__dirname, '../..');
const work = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'main-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Started {
  url: string;
  lines: string[];
  stderr(): string;
  exit: Promise<number | null>;
  kill(sig: NodeJS.Signals): void;
}

function start(configPath: string, env: Record<string, string>): Promise<Started> {
  return new Promise((resolveStart, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'runner/main.ts', '--config', configPath, '--state-dir', join(work, 'state')], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: string[] = [];
    let buf = '';
    let err = '';
    const exit = new Promise<number | null>((r) => child.on('exit', (code, signal) => r(code ?? (signal ? -1 : null))));
    child.stderr.on('data', (d) => (err += String(d)));
    child.stdout.on('data', (d) => {
      buf += String(d);
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        lines.push(line);
        const m = /"url":"(http:[^"]+)".*"msg":"API listening"/.exec(line);
        if (m) resolveStart({ url: m[1], lines, stderr: () => err, exit, kill: (s) => child.kill(s) });
      }
    });
    void exit.then((code) => reject(new Error(`runner exited ${code} before serving: ${err}`)));
  });
}

describe('runner process', () => {
  it('serves the API while replaying, stops on SIGTERM with exit 0, and resumes where it stopped', async () => {
    const configPath = join(work, 'config.yaml');
    writeFileSync(
      configPath,
      JSON.stringify({
        broker: { provider: 'paper' },
        strategy: { active: ['sma-crossover'], sma_crossover: { fast: 5, slow: 20 } },
        data: { provider: 'synthetic', symbols: ['SYNA', 'SYNB'], start: '2020-01-01', end: '2022-01-01' },
        runner: { mode: 'replay', replay_speed: 50 },
        api: { host: '127.0.0.1', port: 8080 },
        logging: { level: 'info', dir: join(work, 'logs') },
      }),
    );
    const env = { TSTRADER_API_TOKEN: 'main-test-token', PORT: '0' };
    const a = await start(configPath, env);
    expect((await fetch(`${a.url}/health`)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 100));
    expect(a.stderr()).toContain(`Dashboard: ${a.url}/   (sign in with the value of TSTRADER_API_TOKEN)`);
    expect((await fetch(`${a.url}/`)).headers.get('content-type')).toMatch(/text\/html/);
    const unauth = await fetch(`${a.url}/api/status`);
    expect(unauth.status).toBe(401);
    await new Promise((r) => setTimeout(r, 400));
    const st = (await (await fetch(`${a.url}/api/status`, { headers: { Authorization: 'Bearer main-test-token' } })).json()) as { mode: string; running: boolean; barsProcessed: number };
    expect(st.mode).toBe('replay');
    expect(st.running).toBe(true);
    a.kill('SIGTERM');
    expect(await a.exit, a.lines.slice(-5).join('\n')).toBe(0);
    expect(a.lines.some((l) => l.includes('shutting down after the current step'))).toBe(true);
    expect(a.lines.some((l) => l.includes('"msg":"runner stopped"'))).toBe(true);

    const b = await start(configPath, env);
    const started = b.lines.find((l) => l.includes('"msg":"runner started"'))!;
    expect(JSON.parse(started).resumeAfter).not.toBeNull();
    b.kill('SIGINT');
    expect(await b.exit).toBe(0);
  }, 60_000);

  it('--help lists every option (--fresh included); --fresh takes effect: refused without it, archived and started over with it', () => {
    const run = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'runner/main.ts', ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, TSTRADER_API_TOKEN: '' } });
    const help = run(['--help']);
    expect(help.status).toBe(0);
    for (const flag of ['--config', '--state-dir', '--replay-speed', '--exit-when-done', '--no-api', '--fresh']) expect(help.stdout).toContain(flag);
    expect(help.stdout).toMatch(/at least 32 characters/);
    const configPath = join(work, 'fresh.yaml');
    const state = join(work, 'fresh-state');
    writeFileSync(
      configPath,
      JSON.stringify({
        broker: { provider: 'paper' },
        strategy: { active: ['sma-crossover'], sma_crossover: { fast: 3, slow: 8 } },
        data: { provider: 'synthetic', symbols: ['SYNA'], start: '2021-01-01', end: '2021-05-01' },
        runner: { mode: 'replay', replay_speed: 0 },
        logging: { level: 'warn', dir: join(work, 'logs-fresh') },
      }),
    );
    const base = ['--config', configPath, '--state-dir', state, '--exit-when-done', '--no-api'];
    const first = run(base);
    expect(first.status, first.stderr).toBe(0);
    unlinkSync(join(state, 'journal.db'));
    const refused = run(base);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain(join(state, 'journal.db'));
    expect(refused.stderr).toMatch(/--fresh/);
    const fresh = run([...base, '--fresh']);
    expect(fresh.status, fresh.stderr).toBe(0);
    expect(readdirSync(state).filter((f) => f.startsWith('archive-'))).toHaveLength(1);
  }, 60_000);
});
