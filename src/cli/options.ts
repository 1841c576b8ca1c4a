import { normalizeGuid } from '../domain/guid.ts';
import { DEMO_PARTNER_ID } from '../ingest/demo.ts';
import { CliError } from './cli-error.ts';

/** `--partner`: a GUID (any case, braces allowed), defaulting to the demo partner. */
export function partnerOption(value: string | undefined): string {
  if (value === undefined) return DEMO_PARTNER_ID;
  const id = normalizeGuid(value);
  if (id === undefined) throw new CliError(`--partner must be a GUID, got '${value}'`, 2);
  return id;
}

export function positiveInt(name: string, value: string, { allowZero = false } = {}): number {
  if (!/^\d+$/.test(value)) throw new CliError(`${name} must be a whole number, got '${value}'`, 2);
  const n = Number(value);
  if (!Number.isSafeInteger(n) || (!allowZero && n === 0))
    throw new CliError(`${name} is out of range: '${value}'`, 2);
  return n;
}
