import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A scratch directory for ingest tests; `write` returns the path of a new file in it. */
export interface ScratchDir {
  readonly dir: string;
  write(name: string, content: string | Uint8Array): Promise<string>;
  remove(): Promise<void>;
}

export async function scratchDir(): Promise<ScratchDir> {
  const dir = await mkdtemp(join(tmpdir(), 'seatwise-ingest-'));
  return {
    dir,
    async write(name, content) {
      const path = join(dir, name);
      await writeFile(path, content);
      return path;
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

export const HEADER =
  'processedDateTime,serviceCode,serviceName,channel,customerTenantId,customerName,productId,productName,licensesDeployed,licensesSold';
export const T1 = '6B4F1A2E-0C3D-4E5F-8A9B-0C1D2E3F4A5B';
export const T2 = 'A7C2E9D1-3B4F-4A6E-9C8D-1E2F3A4B5C6D';
export const E3 = '6FD2C87F-B296-42F0-B197-1E91E994B900';
export const BB = '3B555118-DA6A-4418-894F-7DF1E2096870';
export const PARTNER = 'A1B2C3D4-0000-4000-8000-5EA7A15E0001';

/** One valid CSV line with the canonical header's column order. */
export function csvLine(
  date: string,
  tenant: string,
  product: string,
  extra: Partial<Record<'name' | 'channel' | 'deployed' | 'sold', string>> = {},
): string {
  return `${date},o365,Microsoft Office 365,${extra.channel ?? 'reseller'},${tenant},${extra.name ?? 'Contoso'},${product},OFFICE 365 E3,${extra.deployed ?? '1'},${extra.sold ?? '2'}`;
}
