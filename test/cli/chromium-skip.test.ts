/** The browser-test guard: skip loudly without Chromium on a developer machine, fail under CI. */
import { describe, expect, it } from 'vitest';
import { withoutChromium } from '../helpers/chromium.js';

describe('withoutChromium', () => {
  it('skips with one line naming what to install when the browser is missing, once per file', () => {
    const lines: string[] = [];
    expect(withoutChromium('the X tests', '/nonexistent/chromium', {}, (l) => lines.push(l))).toBe(true);
    expect(withoutChromium('the Y tests', '/nonexistent/chromium', {}, (l) => lines.push(l))).toBe(true);
    expect(lines).toEqual(['SKIPPED the X tests: Chromium not found at /nonexistent/chromium. Install it: apt-get install -y --no-install-recommends chromium (or set CHROMIUM_PATH). (CI=true makes this a failure.)']);
  });

  it('does not skip under CI=true: the suite runs and fails on the missing browser', () => {
    const lines: string[] = [];
    expect(withoutChromium('the X tests', '/nonexistent/chromium', { CI: 'true' }, (l) => lines.push(l))).toBe(false);
    expect(lines).toEqual([]);
  });

  it('does not skip when the browser is there', () => {
    expect(withoutChromium('the X tests', process.execPath, {}, () => {})).toBe(false);
  });
});
