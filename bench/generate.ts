/**
 * Deterministic benchmark data: `customers` tenants × `productsPerCustomer` products per day,
 * written as flat CSV (the `seatwise import` format) so ingest is measured end to end.
 */
import { createWriteStream } from 'node:fs';

const HEADER =
  'processedDateTime,serviceCode,serviceName,channel,customerTenantId,customerName,productId,productName,licensesDeployed,licensesSold\n';

const PRODUCTS: readonly (readonly [id: string, name: string, code: string, service: string])[] = [
  ['6FD2C87F-B296-42F0-B197-1E91E994B900', 'OFFICE 365 E3', 'o365', 'Microsoft Office 365'],
  ['C7DF2760-2C81-4EF7-B578-5B5392B571DF', 'OFFICE 365 E5', 'o365', 'Microsoft Office 365'],
  ['3B555118-DA6A-4418-894F-7DF1E2096870', 'MICROSOFT 365 BUSINESS BASIC', 'o365', 'Microsoft Office 365'],
  ['F245ECC8-75AF-4F8E-B61F-27D8114DE5F3', 'MICROSOFT 365 BUSINESS STANDARD', 'o365', 'Microsoft Office 365'],
  ['CBDC14AB-D96C-4C30-B9F4-6ADA7CDC1D46', 'MICROSOFT 365 BUSINESS PREMIUM', 'o365', 'Microsoft Office 365'],
  ['05E9A617-0261-4CEE-BB44-138D3EF5D965', 'MICROSOFT 365 E3', 'o365', 'Microsoft Office 365'],
  ['4B9405B0-7788-4568-ADD1-99614E613B69', 'EXCHANGE ONLINE (PLAN 1)', 'o365', 'Microsoft Office 365'],
  ['F8A1DB68-BE16-40ED-86D5-CB42CE701560', 'POWER BI PRO', 'o365', 'Microsoft Office 365'],
  [
    '1E1A282C-9C54-43A2-9310-98EF728FAACE',
    'DYNAMICS 365 FOR SALES ENTERPRISE EDITION',
    'crm',
    'Microsoft Dynamics',
  ],
  ['7AC9FE77-66B7-4E5E-9E46-10EED1CFF547', 'DYNAMICS 365 TEAM MEMBERS', 'crm', 'Microsoft Dynamics'],
];

const CHANNELS = ['reseller', 'reseller', 'reseller', 'direct', 'indirect'] as const;

/** A 32-bit integer hash (a murmur3 finaliser), so ids look as random as real tenant ids. */
function mix(x: number): number {
  let h = x >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

const hex8 = (n: number) => n.toString(16).toUpperCase().padStart(8, '0');

/**
 * Deterministic, realistic customer tenant ids. Real ids are random GUIDs; ids sharing a long prefix
 * would defeat the store's per-block min/max statistics, which keep only a string's first bytes.
 */
export function customerId(i: number): string {
  const a = hex8(mix(i * 4 + 1));
  const b = hex8(mix(i * 4 + 2));
  const c = hex8(mix(i * 4 + 3));
  const d = hex8(mix(i * 4 + 4));
  return `${a}-${b.slice(0, 4)}-4${b.slice(5, 8)}-8${c.slice(1, 4)}-${c.slice(4)}${d}`;
}

/** Writes one day; returns the number of rows. */
export async function writeBenchDay(
  path: string,
  day: string,
  customers: number,
  dayIndex: number,
): Promise<number> {
  const out = createWriteStream(path, { highWaterMark: 4 * 1024 * 1024 });
  out.write(HEADER);
  let rows = 0;
  let chunk = '';
  for (let c = 0; c < customers; c++) {
    const id = customerId(c);
    const name = c % 17 === 0 ? `"Customer ${c}, Ltd."` : `Customer ${c}`;
    const channel = CHANNELS[c % CHANNELS.length];
    for (let p = 0; p < PRODUCTS.length; p++) {
      const [pid, pname, code, service] = PRODUCTS[p]!;
      const sold = 5 + ((c * 31 + p * 7) % 200);
      const deployed = Math.max(0, sold - ((c * 13 + p * 5 + dayIndex) % 40));
      chunk += `${day}T00:00:00,${code},${service},${channel},${id},${name},${pid},${pname},${deployed},${sold}\n`;
      rows++;
    }
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
      chunk = '';
    }
  }
  out.write(chunk);
  await new Promise<void>((resolve, reject) =>
    out.end((err?: Error | null) => (err ? reject(err) : resolve())),
  );
  return rows;
}

export const PRODUCTS_PER_CUSTOMER = PRODUCTS.length;
