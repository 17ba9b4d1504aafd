/** Writing a report to disk: the one I/O edge of lib/report (rendering stays pure). */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { renderReport, type ReportInput } from './render.js';

/** Render and write the report, creating the folder; returns the number of bytes written. */
export function writeReport(path: string, input: ReportInput): number {
  const html = renderReport(input);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, html, 'utf8');
  return Buffer.byteLength(html, 'utf8');
}
