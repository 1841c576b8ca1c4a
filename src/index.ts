/**
 * `seatwise`: run the server from a program. `loadConfig` reads the same flags and environment as
 * `seatwise serve`, `openStore` opens a DuckDB file or a PostgreSQL database, and `startServer`
 * serves it until `close()`. The client for the API is `seatwise/sdk`.
 */

export type { Config, ConfigInput, LogLevel } from './config.ts';
export { ConfigError, DEFAULT_DB, loadConfig } from './config.ts';
export type { RunningServer } from './main.ts';
export { startServer } from './main.ts';
export { openStore } from './open-store.ts';
export type {
  LoadOutcome,
  LoadRequest,
  LoadSink,
  RawRow,
  RawValue,
  RowError,
  SnapshotInfo,
  Store,
} from './store/store.ts';
export { VERSION } from './version.ts';
