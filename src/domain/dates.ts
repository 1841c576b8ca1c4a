const DAY_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True for a real calendar date written `YYYY-MM-DD`. */
export function isIsoDay(text: string): boolean {
  const m = DAY_RE.exec(text);
  if (!m) return false;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  if (y < 1 || mo < 1 || mo > 12 || d < 1) return false;
  return d <= daysInMonth(y, mo);
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

const DATETIME_RE =
  /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;

/**
 * The UTC calendar day (`YYYY-MM-DD`) a `processedDateTime` value designates: a bare date, or an
 * ISO 8601 date-time with or without an offset (no offset means UTC, as Partner Center's
 * analytics timestamps carry no zone). Returns undefined when the text is not such a value.
 */
export function utcDayOf(text: string): string | undefined {
  const m = DATETIME_RE.exec(text.trim());
  if (!m) return undefined;
  const day = m[1]!;
  if (!isIsoDay(day)) return undefined;
  if (m[2] === undefined) return day;
  const hh = Number(m[2]);
  const mm = Number(m[3]);
  const ss = m[4] === undefined ? 0 : Number(m[4]);
  if (hh > 24 || mm > 59 || ss > 60 || (hh === 24 && (mm > 0 || ss > 0))) return undefined;
  let offsetMinutes = 0;
  const zone = m[6];
  if (zone !== undefined && zone.toUpperCase() !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const oh = Number(digits.slice(0, 2));
    const om = Number(digits.slice(2, 4));
    if (oh > 23 || om > 59) return undefined;
    offsetMinutes = sign * (oh * 60 + om);
  }
  const [y, mo, d] = day.split('-').map(Number) as [number, number, number];
  const ms = Date.UTC(y, mo - 1, d, hh, mm, Math.min(ss, 59)) - offsetMinutes * 60_000;
  return new Date(ms).toISOString().slice(0, 10);
}

/** Today's UTC date as `YYYY-MM-DD`. */
export function todayUtc(now: Date = new Date()): string {
  return now.toISOString().slice(0, 10);
}

/** `YYYY-MM-DD` shifted by a whole number of days. */
export function addDays(day: string, days: number): string {
  const [y, mo, d] = day.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, mo - 1, d + days)).toISOString().slice(0, 10);
}
