/**
 * Service classification of a SKU: which E5 `serviceCode` / `serviceName` its rows carry.
 *
 * Partner Center reports Dynamics 365 and CRM seats under `crm` / "Microsoft Dynamics" and every
 * other seat-based SKU under `o365` / "Microsoft Office 365" (see shared spec data-sources.md,
 * "Classification"). The rule is kept as data so a user can override it without code changes.
 */

export interface ServiceClass {
  readonly serviceCode: string;
  readonly serviceName: string;
}

export interface ServiceRule extends ServiceClass {
  /** Which SKU attribute the prefix is tested against (case-insensitively). */
  readonly match: 'partNumberPrefix' | 'displayNamePrefix';
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
    Object.freeze({ match: 'partNumberPrefix', prefix: 'D365', ...CRM }),
    Object.freeze({ match: 'partNumberPrefix', prefix: 'CRM', ...CRM }),
    Object.freeze({ match: 'displayNamePrefix', prefix: 'Dynamics 365', ...CRM }),
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
    const subject = rule.match === 'partNumberPrefix' ? partNumber : displayName;
    if (subject.startsWith(rule.prefix.toUpperCase())) {
      return { serviceCode: rule.serviceCode, serviceName: rule.serviceName };
    }
  }
  return { serviceCode: table.fallback.serviceCode, serviceName: table.fallback.serviceName };
}
