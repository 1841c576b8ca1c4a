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
}
