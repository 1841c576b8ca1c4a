/**
 * `@nextLink` construction (spec §4): a root-relative URL repeating the request's path and every
 * original parameter in its original order, with `top` set to the effective page size, `skip`
 * advanced by it and `processedDateTime` pinned to the snapshot the first page read, so a new import
 * between pages cannot shift rows.
 */

/** A query parameter as received, decoded, in order. */
export type RawParam = readonly [name: string, value: string];

export interface LinkBase {
  /** The request path exactly as received (already percent-encoded), without the query. */
  readonly path: string;
  readonly params: readonly RawParam[];
}

export interface NextLinkValues {
  readonly top: number;
  readonly skip: number;
  readonly processedDate: string;
}

export function buildNextLink(base: LinkBase, values: NextLinkValues): string {
  const replacements = new Map<string, string>([
    ['top', String(values.top)],
    ['skip', String(values.skip)],
    ['processeddatetime', values.processedDate],
  ]);
  const seen = new Set<string>();
  const parts: string[] = [];
  for (const [name, value] of base.params) {
    const key = name.toLowerCase();
    const replacement = replacements.get(key);
    if (replacement === undefined) {
      parts.push(`${encode(name)}=${encode(value)}`);
    } else if (!seen.has(key)) {
      seen.add(key);
      parts.push(`${encode(name)}=${encode(replacement)}`);
    }
  }
  for (const [key, name] of [
    ['top', 'top'],
    ['skip', 'skip'],
    ['processeddatetime', 'processedDateTime'],
  ] as const) {
    if (!seen.has(key)) parts.push(`${name}=${encode(replacements.get(key)!)}`);
  }
  return `${base.path}?${parts.join('&')}`;
}

/** Percent-encodes like `encodeURIComponent`, which leaves no space, `&`, `=`, `+` or `#` bare. */
function encode(text: string): string {
  return encodeURIComponent(text);
}

/** Splits a raw query string into decoded pairs, keeping order and repeats (`+` means space). */
export function parseRawQuery(search: string): RawParam[] {
  const params = new URLSearchParams(search);
  return [...params];
}

/** Groups raw pairs by name; a repeated name yields an array so the validator can reject it. */
export function paramsRecord(params: readonly RawParam[]): Record<string, string | string[]> {
  const record: Record<string, string | string[]> = Object.create(null);
  for (const [name, value] of params) {
    const existing = record[name];
    if (existing === undefined) record[name] = value;
    else if (Array.isArray(existing)) existing.push(value);
    else record[name] = [existing, value];
  }
  return record;
}
