/**
 * Feature versions: a short hash of each feature's definition (name, inputs, formula, revision). The model
 * registry stores featureSpec(names) beside a model and refuses to load it when the current definitions differ.
 */
import { DEFAULT_FEATURES, FEATURE_NAMES, featureDef, featureLookback } from './registry.js';

export interface FeatureSpecEntry {
  readonly name: string;
  readonly version: string;
}

/** FNV-1a, 32-bit: tiny, deterministic on every runtime (tslab, Node, browsers). */
function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

export function featureVersion(name: string): string {
  const d = featureDef(name);
  return `${d.revision}-${fnv1a([d.name, d.inputs.join(','), d.formula, String(d.revision)].join('|'))}`;
}

export function featureSpec(names: readonly string[]): FeatureSpecEntry[] {
  return names.map((name) => ({ name, version: featureVersion(name) }));
}

/**
 * Differences between a saved spec and today's definitions: [] when a model trained on `saved` may be fed by
 * today's features, otherwise one readable line per problem.
 */
export function compareFeatureSpec(saved: readonly FeatureSpecEntry[]): string[] {
  const problems: string[] = [];
  saved.forEach((e, i) => {
    let now: string;
    try {
      now = featureVersion(e.name);
    } catch {
      problems.push(`feature ${i} "${e.name}" no longer exists`);
      return;
    }
    if (now !== e.version) problems.push(`feature ${i} "${e.name}" is version ${now}, the model was trained on ${e.version}`);
  });
  return problems;
}

export interface FeatureDoc {
  readonly name: string;
  readonly description: string;
  readonly formula: string;
  /** Bars consumed before the first value. */
  readonly lookback: number;
  readonly version: string;
  readonly isDefault: boolean;
}

/** One line per feature, for notebooks, docs and `--help` style listings. */
export function featureDocs(names: readonly string[] = FEATURE_NAMES): FeatureDoc[] {
  return names.map((name) => {
    const d = featureDef(name);
    return { name, description: d.description, formula: d.formula, lookback: featureLookback(name), version: featureVersion(name), isDefault: DEFAULT_FEATURES.includes(name) };
  });
}
