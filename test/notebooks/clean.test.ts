/**
 * The committed notebooks: clean (no outputs), on the project kernel, written as stories (prose between code),
 * importing lib/ the way tslab can resolve. Needs no Jupyter, so it can run in plain `npm test`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { esc, fmt, htmlTable, pct } from '../../notebooks/support/display.js';

const NB_DIR = join(process.cwd(), 'notebooks');
const files = readdirSync(NB_DIR).filter((f) => f.endsWith('.ipynb')).sort();

interface Cell {
  id?: string;
  cell_type: 'code' | 'markdown' | 'raw';
  source: string | string[];
  outputs?: unknown[];
  execution_count?: number | null;
}
interface Notebook {
  nbformat: number;
  nbformat_minor: number;
  metadata: { kernelspec?: { name?: string; display_name?: string; language?: string } };
  cells: Cell[];
}
const text = (c: Cell) => (Array.isArray(c.source) ? c.source.join('') : c.source);

describe('committed notebooks', () => {
  it('are the research notebooks', () => {
    expect(files).toEqual(['01-data.ipynb', '02-features.ipynb', '03-training.ipynb', '04-backtest.ipynb', '05-regimes-risk.ipynb', '06-promotion.ipynb', '07-sweep.ipynb']);
  });

  for (const f of files) {
    describe(f, () => {
      const nb = JSON.parse(readFileSync(join(NB_DIR, f), 'utf8')) as Notebook;
      const code = nb.cells.filter((c) => c.cell_type === 'code');

      it('uses the tstrader kernel', () => {
        expect(nb.nbformat).toBe(4);
        expect(nb.metadata.kernelspec).toEqual({ name: 'tstrader', display_name: 'TypeScript (tstrader)', language: 'typescript' });
      });

      it('gives every cell an id (nbformat 4.5; Jupyter warns, and will refuse, without one)', () => {
        expect(nb.nbformat_minor).toBeGreaterThanOrEqual(5);
        const missing = nb.cells.map((c, i) => (typeof c.id === 'string' && c.id ? -1 : i)).filter((i) => i >= 0);
        expect(missing, `cells without an id; open and save the notebook in Jupyter`).toEqual([]);
        expect(new Set(nb.cells.map((c) => c.id)).size).toBe(nb.cells.length);
      });

      it('has no outputs (clear them before committing)', () => {
        const dirty = code.map((c, i) => ({ i, outputs: c.outputs?.length ?? 0, count: c.execution_count ?? null })).filter((c) => c.outputs > 0 || c.count !== null);
        expect(dirty, `run: jupyter nbconvert --clear-output --inplace notebooks/${f}`).toEqual([]);
      });

      it('reads as a story: a title, then prose between the code', () => {
        expect(nb.cells[0].cell_type).toBe('markdown');
        expect(text(nb.cells[0])).toMatch(/^# /);
        const md = nb.cells.filter((c) => c.cell_type === 'markdown');
        expect(md.length).toBeGreaterThanOrEqual(Math.ceil(code.length / 2));
        expect(text(md[md.length - 1]).length).toBeGreaterThan(100);
      });

      it('imports lib/ from the repository root with .js suffixes, and nothing tslab cannot run', () => {
        const src = code.map(text).join('\n');
        const relative = [...src.matchAll(/from\s+'(\.{1,2}\/[^']+)'/g)].map((m) => m[1]);
        expect(relative.length).toBeGreaterThan(0);
        for (const p of relative) {
          expect(p, 'the kernel runs in the repository root: import ./lib/... and ./notebooks/support/...').toMatch(/^\.\/(lib|notebooks\/support)\//);
          expect(p, 'relative imports need the .js suffix').toMatch(/\.js$/);
        }
        expect(src).not.toMatch(/import\.meta/);
      });

      it('loads Plotly once, in the setup cell, and no chart output carries the bundle', () => {
        const src = code.map(text).join('\n');
        // one <script> with the bundle in the first code cell's output; figureHtml never inlines it again
        expect(src.match(/tslab\.display\.html\(plotlyScriptTag\(\)\)/g)?.length).toBe(1);
        expect(text(code[0])).toContain('tslab.display.html(plotlyScriptTag())');
        expect(src).not.toMatch(/includePlotly/);
        expect(src).not.toMatch(/cdn\.plot\.ly|cdnjs|unpkg|jsdelivr/);
      });

      it('draws only trace types of the finance Plotly bundle (heatmaps are HTML tables)', () => {
        const types = [...code.map(text).join('\n').matchAll(/type: '([a-z0-9]+)'/g)].map((m) => m[1]);
        const traces = new Set(['scatter', 'bar', 'histogram', 'candlestick', 'ohlc', 'pie', 'waterfall', 'funnel', 'indicator']);
        // layout types (axes, shapes, menus) use the same key
        const layout = new Set(['log', 'linear', 'date', 'category', 'line', 'rect', 'buttons']);
        expect(types.filter((t) => !traces.has(t) && !layout.has(t))).toEqual([]);
      });

      it('uses data that ships with the project (the synthetic market), not files beside the checkout', () => {
        const src = code.map(text).join('\n');
        expect(src).not.toMatch(/\.\.\/shared|shared\/data/);
      });
    });
  }
});

describe('notebooks/support/display', () => {
  it('escapes every cell and header of a table', () => {
    const html = htmlTable([{ 'a<b': '<script>x</script>', n: 1234567, f: 0.12345, missing: null }], { caption: 'R&D "x"' });
    expect(html).toContain('a&lt;b');
    expect(html).toContain('&lt;script&gt;x&lt;/script&gt;');
    expect(html).not.toContain('<script>');
    expect(html).toContain('R&amp;D &quot;x&quot;');
    expect(html).toContain('1,234,567');
    expect(html).toContain('0.1235');
    expect(html).toContain('–');
  });

  it('limits rows and says how many were left out', () => {
    const rows = Array.from({ length: 5 }, (_, i) => ({ i }));
    const html = htmlTable(rows, { maxRows: 2 });
    expect(html.match(/<tr>/g)?.length).toBe(3); // header + 2
    expect(html).toContain('3 more rows not shown');
  });

  it('formats numbers, percents and missing values', () => {
    expect(esc(`<&>"'`)).toBe('&lt;&amp;&gt;&quot;&#39;');
    expect(fmt(NaN)).toBe('–');
    expect(fmt(Infinity)).toBe('∞');
    expect(fmt(1.5, 2)).toBe('1.50');
    expect(pct(0.1234, 1)).toBe('12.3%');
    expect(pct(null)).toBe('–');
  });
});
