/** Safe text for HTML: everything the report writes passes through one of these. */

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escape text for element content and (quoted) attribute values. */
export function escapeHtml(text: unknown): string {
  return String(text).replace(/[&<>"']/g, (c) => ENTITIES[c]);
}

/**
 * JSON that is safe inside a <script> element: `<` becomes \u003c (so no `</script>` or `<!--` can appear)
 * and the JS-only line separators U+2028/2029 are escaped. The result parses back to the same value.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** Inline JavaScript source inside <script>: break any `</script` so the element cannot close early. */
export function scriptSafe(js: string): string {
  return js.replace(/<\/(script)/gi, '<\\/$1');
}

/** 32-bit FNV-1a hash as 8 hex digits: deterministic element ids derived from content. */
export function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}
