/**
 * `seatwise import --format auto`: tells the input kinds apart by content (issue #4 item 1), so a
 * saved response or a downloaded catalog can be imported without naming its format.
 */
import { open, readdir, stat } from 'node:fs/promises';
import { cleanCell } from './csv-table.ts';

export type SourceFormat = 'graph' | 'partner-center' | 'catalog' | 'rows';

/** Bytes looked at per file: enough for a header line or a first Graph item. */
const HEAD_BYTES = 64 * 1024;

/**
 * A directory holding customers.json → partner-center; any other directory of *.json files, or a
 * JSON file whose items carry Graph's `skuId` / `prepaidUnits` → graph; a CSV whose header has
 * GUID and String_Id → catalog; anything else → rows. Throws an Error naming the path when a path
 * cannot be read or the inputs disagree.
 */
export async function detectFormat(paths: readonly string[]): Promise<SourceFormat> {
  if (paths.length === 0) throw new Error('no input paths');
  let first: { path: string; format: SourceFormat } | undefined;
  for (const path of paths) {
    const format = await detectOne(path);
    if (first === undefined) first = { path, format };
    else if (first.format !== format) {
      throw new Error(`inputs disagree: ${first.path} looks like ${first.format} but ${path} like ${format}`);
    }
  }
  return first!.format;
}

async function detectOne(path: string): Promise<SourceFormat> {
  let isDir: boolean;
  try {
    isDir = (await stat(path)).isDirectory();
  } catch (err) {
    throw new Error(`${path}: cannot read: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (!isDir) return sniffFile(path);
  const names = await readdir(path);
  if (names.includes('customers.json')) return 'partner-center';
  if (names.some((n) => n.toLowerCase().endsWith('.json'))) return 'graph';
  throw new Error(`${path}: a directory without customers.json or *.json files; cannot tell its format`);
}

async function sniffFile(path: string): Promise<SourceFormat> {
  const handle = await open(path, 'r');
  let head: string;
  try {
    const buffer = Buffer.alloc(HEAD_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, HEAD_BYTES, 0);
    head = buffer
      .subarray(0, bytesRead)
      .toString('utf8')
      .replace(/^\ufeff/, '');
  } finally {
    await handle.close();
  }
  const start = head.trimStart();
  if (start.startsWith('{') || start.startsWith('[')) {
    return /"(skuId|prepaidUnits)"\s*:/.test(head) ? 'graph' : 'rows';
  }
  const header = (head.split('\n', 1)[0] ?? '')
    .split(',')
    .map((h) => cleanCell(h.replaceAll('"', '')).toLowerCase());
  return header.includes('guid') && header.includes('string_id') ? 'catalog' : 'rows';
}
