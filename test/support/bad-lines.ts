/** The row file with a bad line of every kind, and what an import of it must print, on any store. */

export const EVERY_BAD_LINE_CSV = 'test/fixtures/ingest/every-bad-line.csv';

/** The stderr of `seatwise import <f>` for that file given as `f`, line by line (the last one empty). */
export function everyBadLineStderr(f: string): string[] {
  const dup =
    'duplicate row for processed date 2026-03-01, customerTenantId 6B4F1A2E-0C3D-4E5F-8A9B-0C1D2E3F4A5B,' +
    ` productId 6FD2C87F-B296-42F0-B197-1E91E994B900, channel "reseller"; first at ${f}:2`;
  return [
    `${f}:6: expected 11 fields as in the header, found 6`,
    `${f}:7: expected 11 fields as in the header, found 12`,
    `${f}:8: broken quoting: a quoted value must end with a quote followed by a comma or the line end`,
    `${f}:9: customerTenantId "not-a-guid" is not a GUID`,
    `${f}:10: processedDateTime "2026-02-30" is not a date (YYYY-MM-DD or YYYY-MM-DDTHH:mm:ss)`,
    `${f}:11: licensesDeployed "-1" is not a non-negative integer`,
    `${f}:12: licensesDeployed "1.5" is not a non-negative integer`,
    `${f}:13: licensesSold "2147483648" is larger than 2147483647`,
    `${f}:14: customerName is empty`,
    `${f}:15: ${dup}`,
    'seatwise: import rejected: 10 error(s); the store is unchanged. Fix the lines above and run it again',
    '',
  ];
}
