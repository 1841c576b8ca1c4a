/**
 * Free, viral and trial SKUs that a real import must leave out.
 *
 * Such SKUs carry 10,000 or 1,000,000 units at ~0 % deployment and would swamp every deployment
 * percentage (docs/data-sources.md, "What is left out, and why"); Partner Center's own analytics
 * counts paid seats only. The list is data so that a user can replace or extend it
 * (see `readExclusionFile` in ingest/sources/exclusion-file.ts for the file format).
 */

export interface ExclusionList {
  /** Exact part numbers (Microsoft's `String_Id` / Graph's `skuPartNumber`), upper-case. */
  readonly partNumbers: ReadonlySet<string>;
  /** Exact SKU ids (Microsoft's `GUID` / Graph's `skuId`), upper-case. */
  readonly skuIds: ReadonlySet<string>;
  /**
   * Whole words, upper-case: a SKU is excluded when its display name (split at non-alphanumerics)
   * or its part number (split at `_` and non-alphanumerics) contains one of them — catches trial
   * and free plans Microsoft adds after this list was written.
   */
  readonly nameWords: readonly string[];
  /**
   * Text, upper-case, that excludes a SKU wherever it occurs in its part number or display name,
   * also inside a longer word: `VTRIAL` catches `SALES_VTRIAL` and "Customer Insights vTrial",
   * `DEVELOPER` catches `DEVELOPERPACK_E5`.
   */
  readonly nameFragments: readonly string[];
}

export interface ExclusionSubject {
  readonly skuId: string;
  readonly partNumber: string;
  readonly displayName: string;
}

/**
 * The default list, by part number (stable across Microsoft's catalog revisions; ids are left to
 * user lists). Each entry is free of charge, a self-service "viral" sign-up, a trial, a developer
 * program tenant, or a credit pool — never seats a customer bought per user.
 */
const DEFAULT_PART_NUMBERS: readonly string[] = [
  'FLOW_FREE', // Microsoft Power Automate Free
  'POWER_BI_STANDARD', // Microsoft Fabric (Free), formerly Power BI (free)
  'TEAMS_EXPLORATORY', // Microsoft Teams Exploratory
  'POWERAPPS_VIRAL', // Microsoft Power Apps Plan 2 Trial
  'POWERAPPS_DEV', // Microsoft Power Apps for Developer
  'POWERAPPS_INDIVIDUAL_USER', // Power Apps and Logic Flows (free individual plan)
  'CCIBOTS_PRIVPREV_VIRAL', // Power Virtual Agents / Copilot Studio viral trial
  'RIGHTSMANAGEMENT_ADHOC', // Rights Management Adhoc (self-service RMS for individuals)
  'FORMS_PRO', // Dynamics 365 Customer Voice Trial
  'STREAM', // Microsoft Stream (trial)
  'DEVELOPERPACK', // Office 365 E3 Developer (developer program tenant)
  'DEVELOPERPACK_E5', // Microsoft 365 E5 Developer (free developer program tenant)
  'PROJECT_MADEIRA_PREVIEW_IW_SKU', // Dynamics 365 Business Central for IWs (free)
  'DYN365_ENTERPRISE_P1_IW', // Dynamics 365 P1 Trial for Information Workers
  'MCOPSTNC', // Communications Credits (a prepaid pool with 10,000,000 "units")
  'PHONESYSTEM_VIRTUALUSER', // Microsoft Teams Phone Resource Account (free, for resource accounts)
  'MICROSOFT_TEAMS_ROOMS_BASIC', // Microsoft Teams Rooms Basic (free)
  'WINDOWS_STORE', // Windows Store for Business (free)
  'SMB_APPS', // Business Apps (free)
];

/** Words that mark a plan as unpaid whatever its part number (see `ExclusionList.nameWords`). */
const DEFAULT_NAME_WORDS: readonly string[] = ['TRIAL', 'FREE', 'VIRAL'];

/**
 * Text that marks a plan as unpaid even inside a longer word (see `ExclusionList.nameFragments`):
 * Microsoft names viral trials "vTrial" (`…_VTRIAL`), and developer SKUs (`DEVELOPERPACK`,
 * "Microsoft Power Apps for Developer") come with developer program tenants, not sales.
 */
const DEFAULT_NAME_FRAGMENTS: readonly string[] = ['VTRIAL', 'DEVELOPER'];

export const DEFAULT_EXCLUSIONS: ExclusionList = exclusionList({
  partNumbers: DEFAULT_PART_NUMBERS,
  nameWords: DEFAULT_NAME_WORDS,
  nameFragments: DEFAULT_NAME_FRAGMENTS,
});

/** Builds a normalised list (upper-case, trimmed, empty entries dropped). */
export function exclusionList(entries: {
  partNumbers?: Iterable<string>;
  skuIds?: Iterable<string>;
  nameWords?: Iterable<string>;
  nameFragments?: Iterable<string>;
}): ExclusionList {
  const norm = (values: Iterable<string> | undefined): string[] =>
    [...(values ?? [])].map((v) => v.trim().toUpperCase()).filter((v) => v !== '');
  return Object.freeze({
    partNumbers: new Set(norm(entries.partNumbers)),
    skuIds: new Set(norm(entries.skuIds).map((v) => v.replace(/^\{|\}$/g, ''))),
    nameWords: Object.freeze([...new Set(norm(entries.nameWords))]),
    nameFragments: Object.freeze([...new Set(norm(entries.nameFragments))]),
  });
}

/** The union of two lists (a user file that extends the defaults). */
export function mergeExclusions(a: ExclusionList, b: ExclusionList): ExclusionList {
  return exclusionList({
    partNumbers: [...a.partNumbers, ...b.partNumbers],
    skuIds: [...a.skuIds, ...b.skuIds],
    nameWords: [...a.nameWords, ...b.nameWords],
    nameFragments: [...a.nameFragments, ...b.nameFragments],
  });
}

const WORD_SPLIT = /[^\p{L}\p{N}]+/u;

/** True when the SKU is free, viral or trial according to `list`. */
export function isExcluded(sku: ExclusionSubject, list: ExclusionList = DEFAULT_EXCLUSIONS): boolean {
  const partNumber = sku.partNumber.trim().toUpperCase();
  if (partNumber !== '' && list.partNumbers.has(partNumber)) return true;
  if (list.skuIds.size > 0 && list.skuIds.has(sku.skuId.trim().toUpperCase())) return true;
  if (list.nameWords.length === 0 && list.nameFragments.length === 0) return false;
  const displayName = sku.displayName.toUpperCase();
  if (list.nameFragments.some((f) => partNumber.includes(f) || displayName.includes(f))) return true;
  const words = `${partNumber} ${displayName}`.split(WORD_SPLIT);
  return words.some((w) => list.nameWords.includes(w));
}
