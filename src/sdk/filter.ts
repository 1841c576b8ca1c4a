/**
 * A small builder for the E5 filter language:
 * `where('serviceCode').eq('o365').and(where('channel').ne('direct'))` renders
 * `(serviceCode eq 'o365' and channel ne 'direct')`. Values are quoted with doubled quotes, so any
 * text is safe to pass.
 */
import type { Dimension } from './types.ts';

export class Filter {
  readonly #text: string;

  /** @internal Use `where(...)`. */
  constructor(text: string) {
    this.#text = text;
  }

  and(other: Filter | string): Filter {
    return new Filter(`(${this.#text} and ${String(other)})`);
  }

  or(other: Filter | string): Filter {
    return new Filter(`(${this.#text} or ${String(other)})`);
  }

  toString(): string {
    return this.#text;
  }
}

/** Quotes a value as a filter literal: `O'Neil` → `'O''Neil'`. */
export function literal(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/**
 * Starts a comparison on one of the seven dimensions.
 *
 * @example
 * const f = where('serviceCode').eq('o365').and(where('customerName').ne("O'Neil & Sons"));
 * String(f); // "(serviceCode eq 'o365' and customerName ne 'O''Neil & Sons')"
 */
export function where(field: Dimension): { eq(value: string): Filter; ne(value: string): Filter } {
  return {
    eq: (value) => new Filter(`${field} eq ${literal(value)}`),
    ne: (value) => new Filter(`${field} ne ${literal(value)}`),
  };
}
