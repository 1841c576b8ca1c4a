import type { SqlDialect } from './dialect.ts';
import type { SqlParam } from './query.ts';

/**
 * Collects bound parameters while a query is rendered and hands out their placeholders, so a
 * literal can only ever reach SQL as `$n`.
 */
export class ParamList {
  readonly #dialect: SqlDialect;
  readonly values: SqlParam[] = [];

  constructor(dialect: SqlDialect) {
    this.#dialect = dialect;
  }

  /** Binds a value and returns its placeholder. */
  add(value: SqlParam): string {
    this.values.push(value);
    return this.#dialect.placeholder(this.values.length);
  }

  /** `LIMIT … OFFSET …` of a page of `top` rows after the first `skip`, both bound. */
  page(paging: { readonly top: number; readonly skip: number }): string {
    return `LIMIT ${this.add(paging.top)} OFFSET ${this.add(paging.skip)}`;
  }
}
