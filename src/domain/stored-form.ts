/**
 * Limits of stored values. The rules that turn input values into their stored form are written
 * once, as SQL every store runs over its loads: `src/sql/ingest.ts`.
 */

/** The largest seat count: counts are 32-bit signed integers in Partner Center's SDKs. */
export const MAX_COUNT = 2 ** 31 - 1;
