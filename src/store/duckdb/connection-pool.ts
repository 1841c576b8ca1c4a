/**
 * A fixed set of DuckDB connections handed out one query at a time. DuckDB runs queries of
 * different connections in parallel, so concurrent HTTP requests don't queue behind one another on
 * a single connection; each connection still runs one statement at a time.
 */
import type { DuckDBConnection } from '@duckdb/node-api';

export class ConnectionPool {
  readonly #all: readonly DuckDBConnection[];
  readonly #idle: DuckDBConnection[];
  readonly #waiting: ((c: DuckDBConnection) => void)[] = [];
  #closed = false;
  #drained: (() => void) | undefined;

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

  /** Refuses new work, waits for running queries to finish, then disconnects every connection. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#idle.length < this.#all.length) {
      await new Promise<void>((resolve) => {
        this.#drained = resolve;
      });
    }
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
