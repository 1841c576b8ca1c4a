/**
 * Physical line numbers of CSV records, for error messages only. DuckDB's reader numbers the records
 * it rejects by line, but counts a record that spans lines (a quoted line break) as one line, and
 * gives accepted rows no line at all; when a load has problems, this one pass over the file maps
 * both back to the lines an editor shows.
 *
 * A record starts at the beginning of a line outside a quoted value; empty lines are no records (as
 * in DuckDB's reader). A quote opens a quoted value only at the start of a field, and `""` inside
 * one is a literal quote: the rules the reader is configured with (`quote='"'`, `escape='"'`).
 */
import { createReadStream } from 'node:fs';

export interface RecordLines {
  /** Line of the accepted record with each wanted index (0-based, rejected records not counted). */
  readonly accepted: ReadonlyMap<number, number>;
  /** Line of each rejected record, by the line number DuckDB gave it. */
  readonly rejected: ReadonlyMap<number, number>;
}

const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;
const COMMA = 0x2c;

/**
 * Scans `path` from the line after `headerLine`. `rejectedLines` are the records the reader
 * rejected, by its line numbers; `wanted` the indexes, among the accepted records, to locate.
 */
export async function locateRecords(
  path: string,
  headerLine: number,
  rejectedLines: ReadonlySet<number>,
  wanted: ReadonlySet<number>,
): Promise<RecordLines> {
  const accepted = new Map<number, number>();
  const rejected = new Map<number, number>();
  let line = 1;
  /** Line breaks inside quoted values so far, which DuckDB's line numbers leave out. */
  let folded = 0;
  let quoted = false;
  let fieldStart = true;
  let lineStart = true;
  /** The previous byte closed a quoted value; a quote now means `""`, a literal quote. */
  let closed = false;
  let acceptedCount = 0;
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i]!;
      if (lineStart) {
        lineStart = false;
        if (!quoted && line > headerLine && c !== LF && c !== CR) {
          if (rejectedLines.has(line - folded)) rejected.set(line - folded, line);
          else {
            if (wanted.has(acceptedCount)) accepted.set(acceptedCount, line);
            acceptedCount++;
          }
        }
      }
      if (c === QUOTE) {
        if (quoted) {
          quoted = false;
          closed = true;
        } else {
          quoted = closed || fieldStart;
          closed = false;
        }
        fieldStart = false;
        continue;
      }
      closed = false;
      if (c === LF) {
        line++;
        lineStart = true;
        if (quoted) folded++;
        else fieldStart = true;
      } else if (!quoted) {
        fieldStart = c === COMMA;
      }
    }
  }
  return { accepted, rejected };
}
