const GUID_RE = /^\{?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\}?$/;

/**
 * Canonical form of a GUID as Partner Center emits it: upper-case, hyphenated, no braces.
 * Returns undefined for anything that is not a GUID (braces must be balanced).
 */
export function normalizeGuid(text: string): string | undefined {
  const m = GUID_RE.exec(text);
  if (!m) return undefined;
  const braced = text.startsWith('{');
  if (braced !== text.endsWith('}')) return undefined;
  return m[1]!.toUpperCase();
}

export function isGuid(text: string): boolean {
  return normalizeGuid(text) !== undefined;
}
