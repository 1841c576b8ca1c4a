/**
 * A fixed set of DuckDB connections handed out one query at a time. DuckDB runs queries of
 * different connections in parallel, so concurrent HTTP requests don't queue behind one another on
 * a single connection; each connection still runs one statement at a time.
 *
 * `query` keeps each connection's most recently used prepared statements by SQL text: the reads
 * are a few shapes of compiled SQL whose values are all bound parameters, so a repeated shape is
 * bound and run again instead of being parsed and planned anew (about a fifth of a small E5 page's
 * time went to parsing and planning).
 *
 * A kept statement is only good until the data changes: DuckDB plans a prepared statement with the
 * table statistics of the moment (string lengths, value ranges), and a plan run on data past those
 * statistics can return wrong values (duckdb/duckdb#23704). So every write goes through
 * `whileWriting`: from the moment it is queued no read reuses a statement, it starts once the reads
 * running kept statements have finished, and when it ends every kept statement is dropped.
 */
import type { DuckDBConnection, DuckDBPreparedStatement, DuckDBResultReader } from '@duckdb/node-api';

type Value = string | number;

/** Prepared statements kept per connection (least recently used first out). */
const STATEMENTS_PER_CONNECTION = 64;

/** A connection's kept statements by SQL text, least recently used first, and when they were made. */
interface Statements {
  epoch: number;
  readonly bySql: Map<string, DuckDBPreparedStatement>;
}

export class ConnectionPool {
  readonly #all: readonly DuckDBConnection[];
  readonly #idle: DuckDBConnection[];
  readonly #waiting: ((c: DuckDBConnection) => void)[] = [];
  #closed = false;
  #drained: (() => void) | undefined;
  readonly #statements = new Map<DuckDBConnection, Statements>();
  /** Moves on when a write ends: statements kept from before are dropped. */
  #epoch = 0;
  /** Writes started and not ended: while there is one, no statement is kept or reused. */
  #writing = 0;
  /** Reads running a kept statement, and the writes waiting for them to finish. */
  #reusing = 0;
  #quiet: (() => void)[] = [];

  constructor(connections: readonly DuckDBConnection[]) {
    this.#all = connections;
    this.#idle = [...connections];
  }

  async use<T>(fn: (c: DuckDBConnection) => Promise<T>): Promise<T> {
    const connection = await this.#acquire();
    try {
      return await fn(connection);
    } finally {
      this.#release(connection);
    }
  }

  /** Runs one statement with its parameters on a free connection and reads its whole result. */
  query(sql: string, params: readonly Value[]): Promise<DuckDBResultReader> {
    return this.use(async (c) => {
      const statements = this.#statementsOf(c);
      const kept = statements === undefined ? undefined : await this.#prepared(statements, c, sql);
      // Checked again after the await, and in the same turn as the run starts: a write that
      // began meanwhile, or began and ended, may have changed what the statement was planned on.
      if (kept === undefined || this.#writing > 0 || this.#epoch !== statements?.epoch) {
        return c.runAndReadAll(sql, [...params]);
      }
      this.#reusing++;
      try {
        if (params.length > 0) kept.bind([...params]);
        return await kept.runAndReadAll();
      } finally {
        if (--this.#reusing === 0) for (const resolve of this.#quiet.splice(0)) resolve();
      }
    });
  }

  /** Runs a write once no read is running a kept statement; kept statements are dropped after it. */
  async whileWriting<T>(fn: () => Promise<T>): Promise<T> {
    this.#writing++;
    try {
      while (this.#reusing > 0) await new Promise<void>((resolve) => this.#quiet.push(resolve));
      return await fn();
    } finally {
      this.#writing--;
      this.#epoch++;
    }
  }

  /** The connection's kept statements, emptied if a write ended since; none while one runs. */
  #statementsOf(c: DuckDBConnection): Statements | undefined {
    if (this.#writing > 0) return undefined;
    let statements = this.#statements.get(c);
    if (statements === undefined) {
      statements = { epoch: this.#epoch, bySql: new Map() };
      this.#statements.set(c, statements);
    } else if (statements.epoch !== this.#epoch) {
      for (const s of statements.bySql.values()) s.destroySync();
      statements.bySql.clear();
      statements.epoch = this.#epoch;
    }
    return statements;
  }

  /** The kept statement for `sql`, prepared on first use. */
  async #prepared(
    statements: Statements,
    c: DuckDBConnection,
    sql: string,
  ): Promise<DuckDBPreparedStatement> {
    const { bySql } = statements;
    const kept = bySql.get(sql);
    if (kept !== undefined) {
      // Put back last: a Map iterates in insertion order, so its first key is the least recently used.
      bySql.delete(sql);
      bySql.set(sql, kept);
      return kept;
    }
    const statement = await c.prepare(sql);
    bySql.set(sql, statement);
    if (bySql.size > STATEMENTS_PER_CONNECTION) {
      const [oldest, evicted] = bySql.entries().next().value!;
      bySql.delete(oldest);
      evicted.destroySync();
    }
    return statement;
  }

  /** Refuses new work, waits for running queries to finish, then disconnects every connection. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#idle.length < this.#all.length) {
      await new Promise<void>((resolve) => {
        this.#drained = resolve;
      });
    }
    // Disconnecting destroys the connection's prepared statements too.
    this.#statements.clear();
    for (const c of this.#all) c.disconnectSync();
  }

  #acquire(): Promise<DuckDBConnection> {
    if (this.#closed) return Promise.reject(new Error('the store is closed'));
    const idle = this.#idle.pop();
    if (idle !== undefined) return Promise.resolve(idle);
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  #release(connection: DuckDBConnection): void {
    // Queued callers are served even while closing: they were accepted before close() was called.
    const next = this.#waiting.shift();
    if (next !== undefined) {
      next(connection);
      return;
    }
    this.#idle.push(connection);
    if (this.#closed && this.#idle.length === this.#all.length) this.#drained?.();
  }
}
