import { describe, expect, it } from 'vitest';
import { combinatorialPurgedSplits } from '../../lib/ml/cpcv.js';
import { chronologicalSplit, threeBlockSplit, timeAxis } from '../../lib/ml/splits.js';
import { walkForwardFolds } from '../../lib/ml/walkforward.js';
import { trainModel } from '../../lib/ml/train.js';
import { syntheticMarket } from '../../lib/data/synthetic.js';

const range = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + i);

describe('default purges are never zero', () => {
  it('chronological, three-block and walk-forward splits purge one bar by default; training purges the label horizon', async () => {
    const time = range(0, 100);
    const two = chronologicalSplit(time);
    expect(Math.max(...two.train)).toBe(78); // test starts at 80; bar 79 purged
    const three = threeBlockSplit(time, { selectionFraction: 0.2, testFraction: 0.2 });
    expect(Math.max(...three.train)).toBe(58);
    expect([Math.min(...three.selection), Math.max(...three.selection)]).toEqual([60, 78]);
    expect(Math.min(...three.test)).toBe(80);
    expect(walkForwardFolds(20, { trainBars: 5, retrainEvery: 5 })[0]).toEqual({ trainStart: 0, trainEnd: 5, testStart: 6, testEnd: 11 });
    expect(combinatorialPurgedSplits(range(0, 12), { groups: 6, testGroups: 1 }).splits[1].train.length).toBe(8); // 12 - 2 tested - 2 purged
    const market = syntheticMarket({ symbols: ['SYNA'], seed: 3, start: '2019-01-01', end: '2020-06-01' });
    const r = await trainModel(market, { model: 'rf', rf: { nEstimators: 3, maxDepth: 3 }, label: { horizon: 3 }, silent: true });
    expect(r.purge).toBe(3);
    const { times } = timeAxis(r.dataset.time);
    const lastTrain = times.indexOf(r.dataset.time[r.trainRows[r.trainRows.length - 1]]);
    const firstTest = times.indexOf(r.dataset.time[r.split!.test[0]]);
    expect(firstTest - lastTrain).toBe(4); // 3 bars purged between them
  });
});

describe('combinatorial purged cross-validation', () => {
  it('N = 6, k = 2: 15 splits, 5 paths, each group tested in 5 splits', () => {
    const time = range(0, 12).map((t) => t * 1000);
    const plan = combinatorialPurgedSplits(time, { groups: 6, testGroups: 2, purge: 0 });
    expect(plan.splits.length).toBe(15); // C(6, 2)
    expect(plan.paths.length).toBe(5); // 2/6 * 15
    expect(plan.groupBounds).toEqual([[0, 1], [2, 3], [4, 5], [6, 7], [8, 9], [10, 11]]);
    // Every path covers every group exactly once, with a split that tests that group.
    for (const path of plan.paths) {
      expect(path.length).toBe(6);
      path.forEach((s, g) => expect(plan.splits[s].testGroups).toContain(g));
    }
    // Every (split, tested group) pair is used by exactly one path.
    const used = new Set(plan.paths.flatMap((p) => p.map((s, g) => `${s}:${g}`)));
    expect(used.size).toBe(30);
    // Without purge, train and test partition the rows.
    for (const s of plan.splits) expect(s.train.length + s.test.length).toBe(12);
  });

  it('purges h bars on both sides of each test group and embargoes after it (hand-checked)', () => {
    // 12 bars, 6 groups of 2. Split testing groups 1 and 4 = bars [2,3] and [8,9].
    // purge 1: drop bar 1 (its label looks into bar 2), bar 4 (overlaps the label of bar 3), bar 7, bar 10;
    // embargo 1: drop bar 5 and bar 11. Training keeps bars 0 and 6.
    const time = range(0, 12);
    const plan = combinatorialPurgedSplits(time, { groups: 6, testGroups: 2, purge: 1, embargo: 1 });
    const s = plan.splits.find((x) => x.testGroups.join() === '1,4')!;
    expect(Array.from(s.test)).toEqual([2, 3, 8, 9]);
    expect(Array.from(s.train)).toEqual([0, 6]);
  });

  it('no training bar lies within the label horizon of a test bar, with several symbols per bar', () => {
    const h = 3;
    const time = range(0, 60).flatMap((t) => [t, t]); // two symbols per bar
    const plan = combinatorialPurgedSplits(time, { groups: 5, testGroups: 2, purge: h, embargo: 2 });
    for (const s of plan.splits) {
      const testTimes = new Set(Array.from(s.test, (i) => time[i]));
      for (const i of s.train) {
        for (let d = -h; d <= h; d++) expect(testTimes.has(time[i] + d)).toBe(false);
      }
      // The embargo: no training bar in the 2 bars after the purge zone of a test group's end.
      for (const g of s.testGroups) {
        const end = plan.groupBounds[g][1];
        for (const i of s.train) expect(time[i] > end && time[i] <= end + h + 2).toBe(false);
      }
    }
  });

  it('refuses bad options naming the field', () => {
    expect(() => combinatorialPurgedSplits(range(0, 10), { groups: 1, testGroups: 1 })).toThrow(/cpcv.groups/);
    expect(() => combinatorialPurgedSplits(range(0, 10), { groups: 4, testGroups: 4 })).toThrow(/cpcv.testGroups/);
    expect(() => combinatorialPurgedSplits(range(0, 10), { groups: 4, testGroups: 2, purge: -1 })).toThrow(/cpcv.purge/);
    expect(() => combinatorialPurgedSplits(range(0, 3), { groups: 4, testGroups: 2 })).toThrow(/cpcv.groups/);
  });
});
