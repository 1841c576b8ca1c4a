/**
 * Service classification of a SKU: which E5 `serviceCode` / `serviceName` its rows carry.
 *
 * Partner Center reports every Dynamics product (Dynamics 365, Dynamics CRM, and older ones such
 * as Dynamics AX, which its own E5 examples list as "DYNAMICS AX TASK") under `crm` / "Microsoft
 * Dynamics", and every other seat-based SKU under `o365` / "Microsoft Office 365" (see
 * docs/data-sources.md, "Service classification"). The rule is kept as data so a user can override
 * it without code changes.
 */

export interface ServiceClass {
  readonly serviceCode: string;
  readonly serviceName: string;
}

/** Which SKU attribute a rule tests, and how (always case-insensitively). */
export type ServiceRuleMatch = 'partNumberPrefix' | 'displayNamePrefix' | 'displayNameContains';

export const SERVICE_RULE_MATCHES: readonly ServiceRuleMatch[] = Object.freeze([
  'partNumberPrefix',
  'displayNamePrefix',
  'displayNameContains',
]);

export interface ServiceRule extends ServiceClass {
  /**
   * `partNumberPrefix`: the part number starts with `prefix`; `displayNamePrefix`: the display
   * name starts with it; `displayNameContains`: the display name contains it anywhere.
   */
  readonly match: ServiceRuleMatch;
  /** The text tested for (for `displayNameContains`, found anywhere rather than at the start). */
  readonly prefix: string;
}

export interface ClassificationTable {
  /** First matching rule wins. */
  readonly rules: readonly ServiceRule[];
  /** Used when no rule matches. */
  readonly fallback: ServiceClass;
}

const CRM: ServiceClass = Object.freeze({ serviceCode: 'crm', serviceName: 'Microsoft Dynamics' });
const O365: ServiceClass = Object.freeze({ serviceCode: 'o365', serviceName: 'Microsoft Office 365' });

export const DEFAULT_CLASSIFICATION: ClassificationTable = Object.freeze({
  rules: Object.freeze([
    Object.freeze({ match: 'partNumberPrefix', prefix: 'DYN365', ...CRM }),
    Object.freeze({ match: 'partNumberPrefix', prefix: 'DYNAMICS', ...CRM }),
    Object.freeze({ match: 'partNumberPrefix', prefix: 'D365', ...CRM }),
    Object.freeze({ match: 'partNumberPrefix', prefix: 'CRM', ...CRM }),
    Object.freeze({ match: 'displayNameContains', prefix: 'Dynamics', ...CRM }),
  ] satisfies ServiceRule[]),
  fallback: O365,
});

export interface SkuNames {
  /** Microsoft's `String_Id` / `skuPartNumber`, e.g. `ENTERPRISEPACK`. */
  readonly partNumber: string;
  readonly displayName: string;
}

export function classifySku(
  sku: SkuNames,
  table: ClassificationTable = DEFAULT_CLASSIFICATION,
): ServiceClass {
  const partNumber = sku.partNumber.trim().toUpperCase();
  const displayName = sku.displayName.trim().toUpperCase();
  for (const rule of table.rules) {
    const text = rule.prefix.toUpperCase();
    const hit =
      rule.match === 'partNumberPrefix'
        ? partNumber.startsWith(text)
        : rule.match === 'displayNamePrefix'
          ? displayName.startsWith(text)
          : displayName.includes(text);
    if (hit) return { serviceCode: rule.serviceCode, serviceName: rule.serviceName };
  }
  return { serviceCode: table.fallback.serviceCode, serviceName: table.fallback.serviceName };
}
