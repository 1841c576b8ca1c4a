/**
 * `seatwise import --format auto`: tells the input kinds apart by content, so a
 * saved response or a downloaded catalog can be imported without naming its format. Inputs that
 * are a part of a Partner Center directory rather than the directory are refused with what to
 * pass instead.
 */
import { access, open, readdir, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { headerKey } from './csv-table.ts';
import { type JsonShape, shapeAdvice, sniffJsonShape, subscribedSkusFolderAdvice } from './input-shape.ts';

export type SourceFormat = 'graph' | 'partner-center' | 'catalog' | 'prices' | 'rows';

/** Bytes looked at per file: enough for a header line or a first Graph item. */
const HEAD_BYTES = 64 * 1024;

/**
 * A directory holding customers.json → partner-center; any other directory of *.json files, or a
 * JSON file whose items carry Graph's `skuId` / `prepaidUnits` → graph; a CSV whose header has
 * GUID and String_Id (also spelled `String_ Id`) → catalog; a CSV whose header has SkuId and
 * UnitPrice → prices (docs/prices.md); anything else → rows. Throws an Error
 * naming the path when a path cannot be read, when the inputs disagree, and when a path is a part
 * of a Partner Center directory (customers.json, one subscribedskus/<id>.json, or the
 * subscribedskus/ folder) instead of the directory.
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
  // The subscribedskus/ folder of a Partner Center directory, or Partner Center responses anywhere.
  const parent = await partnerCenterParent(path);
  const json = names.filter((n) => n.toLowerCase().endsWith('.json')).sort();
  const pcResponses =
    json.length > 0 && sniffJsonShape(await head(join(path, json[0]!))) === 'pc-subscribed-skus';
  if (parent !== undefined || pcResponses) throw new Error(`${path} ${subscribedSkusFolderAdvice(parent)}`);
  if (json.length > 0) return 'graph';
  throw new Error(`${path}: a directory without customers.json or *.json files; cannot tell its format`);
}

/** `dir`'s parent when it holds customers.json and `dir` is its subscribedskus/ folder. */
export async function partnerCenterParent(dir: string): Promise<string | undefined> {
  if (basename(dir).toLowerCase() !== 'subscribedskus') return undefined;
  const parent = dirname(dir);
  try {
    await access(join(parent, 'customers.json'));
    return parent;
  } catch {
    return undefined;
  }
}

/** The first bytes of a file as text (a byte-order mark dropped). */
async function head(path: string): Promise<string> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(HEAD_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, HEAD_BYTES, 0);
    return buffer
      .subarray(0, bytesRead)
      .toString('utf8')
      .replace(/^\ufeff/, '');
  } finally {
    await handle.close();
  }
}

/** JSON shapes that are a part of a Partner Center directory, not an input by themselves. */
const PARTS: readonly JsonShape[] = ['pc-subscribed-skus', 'pc-customers'];

async function sniffFile(path: string): Promise<SourceFormat> {
  const text = await head(path);
  const start = text.trimStart();
  if (start.startsWith('{') || start.startsWith('[')) {
    const shape = sniffJsonShape(text);
    if (PARTS.includes(shape)) throw new Error(`${path} ${shapeAdvice(shape)}`);
    // A single subscribedSku is Graph's too; the Graph reader says what to pass instead.
    return shape === 'graph-collection' || shape === 'graph-sku' ? 'graph' : 'rows';
  }
  // Only the header line matters, and it is ASCII in every catalog Microsoft has published, so
  // Windows-1252 bytes further down (read here as replacement characters) do not get in the way.
  const header = (text.split('\n', 1)[0] ?? '').split(',').map((h) => headerKey(h.replaceAll('"', '')));
  if (header.includes('guid') && header.includes('stringid')) return 'catalog';
  return header.includes('skuid') && header.includes('unitprice') ? 'prices' : 'rows';
}
