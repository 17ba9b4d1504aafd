import { describe, expect, it } from 'vitest';
import { renderReport } from '../../lib/report/index.js';
import { fakeRun } from './fixture.js';

describe('report: signals with their reasons', () => {
  const run = fakeRun(['AAA'], '2020-01-01', '2020-12-31');
  it('lists each signal with P(up) and its drivers, escaped', () => {
    const html = renderReport({
      ...run,
      signals: [
        { time: Date.UTC(2020, 2, 3), symbol: 'AAA', direction: 'long', probability: 0.6412, reason: 'P(up)=0.641 >= 0.6; drivers: rsi_14 +0.080, volume_ratio +0.031 (log-odds) <b>' },
        { time: Date.UTC(2020, 2, 9), symbol: 'AAA', direction: 'flat', probability: 0.41, reason: 'P(up)=0.410 < 0.5' },
      ],
    });
    expect(html).toContain('<h2>Signals (2)</h2>');
    expect(html).toContain('<td>2020-03-03</td><td>AAA</td><td>long</td><td>0.641</td><td>P(up)=0.641 &gt;= 0.6; drivers: rsi_14 +0.080, volume_ratio +0.031 (log-odds) &lt;b&gt;</td>');
    expect(html).toContain('<td>flat</td><td>0.410</td>');
  });
  it('has no signals section when none are given', () => {
    expect(renderReport(run)).not.toContain('<h2>Signals');
  });
});
