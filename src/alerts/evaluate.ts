/**
 * What the alert rules say about one snapshot, and how that changes what is stored: pure functions
 * over the snapshot's figures (gathered by inputs.ts), so that each rule, the exclusions and the
 * fire-once, clear, fire-again cycle are tested without a store or a clock.
 */
import type { RenewalItem, ShelfwareItem } from '../contract/schemas.ts';
import type { AlertStateRecord } from '../store/store.ts';
import { type AlertRule, type AlertsConfig, type Exclusions, RULE_KINDS, type RuleKind } from './config.ts';

/** One customer's sold and deployed seats of one product on a snapshot. */
export interface ProductSeats {
  readonly customerTenantId: string;
  readonly customerName: string;
  readonly productId: string;
  readonly productName: string;
  readonly licensesSold: number;
  readonly licensesDeployed: number;
}

/** The figures of one snapshot the rules read. */
export interface AlertInputs {
  readonly processedDate: string;
  /** Per customer and product (the `deployment` rule). */
  readonly products: readonly ProductSeats[];
  /** Products with unassigned seats, priced where a price is known (`unassigned`, `cost`). */
  readonly shelfware: readonly ShelfwareItem[];
  /** Subscriptions ending within the longest `renewal` window (`renewal`). */
  readonly renewals: readonly RenewalItem[];
}

export type AlertValue = string | number | boolean | null;

/** A rule's condition holding for one subject (customer, product or subscription). */
export interface Alert {
  /** Stable: `<rule id>/<customer>[/<product or subscription>]`. */
  readonly key: string;
  /** The rule's id (its kind unless the file names it). */
  readonly rule: string;
  readonly kind: RuleKind;
  readonly customerTenantId: string;
  readonly customerName: string;
  readonly productId: string | null;
  readonly productName: string | null;
  /** One line for people, e.g. `Contoso: 7 of 20 seats of OFFICE 365 E3 are not assigned (rule: ≥ 5)`. */
  readonly message: string;
  /** The figures behind it, named as in the API. */
  readonly values: Readonly<Record<string, AlertValue>>;
}

/** What is stored for an alert that fired (the state's JSON). */
export interface FiredAlert extends Alert {
  readonly processedDate: string;
  /** ISO 8601 UTC: when it was delivered. */
  readonly firedAt: string;
}

function excluded(ex: Exclusions, customer: string, sku: string | null): boolean {
  const c = customer.toUpperCase();
  if (ex.customers.has(c)) return true;
  if (sku === null) return false;
  const s = sku.toUpperCase();
  return ex.skus.has(s) || ex.pairs.has(`${c}/${s}`);
}

/** A figure as people read it: whole numbers plain, others with two decimals. */
function figure(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(2);
}

function money(amount: number, currency: string | undefined): string {
  return `${amount.toFixed(2)}${currency === undefined ? '' : ` ${currency}`}`;
}

/** Every alert whose condition holds on the snapshot, ordered by key. */
export function evaluateRules(
  config: Pick<AlertsConfig, 'rules' | 'exclusions'>,
  inputs: AlertInputs,
): Alert[] {
  const alerts = new Map<string, Alert>();
  const add = (alert: Alert) => {
    if (!alerts.has(alert.key)) alerts.set(alert.key, alert);
  };
  for (const rule of config.rules) {
    for (const alert of evaluateRule(rule, config.exclusions, inputs)) add(alert);
  }
  return [...alerts.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

function evaluateRule(rule: AlertRule, ex: Exclusions, inputs: AlertInputs): Alert[] {
  const out: Alert[] = [];
  switch (rule.kind) {
    case 'unassigned':
      for (const item of inputs.shelfware) {
        if (excluded(ex, item.customerTenantId, item.productId)) continue;
        if (item.licensesUnassigned < rule.minSeats) continue;
        out.push({
          key: `${rule.id}/${item.customerTenantId}/${item.productId}`,
          rule: rule.id,
          kind: rule.kind,
          customerTenantId: item.customerTenantId,
          customerName: item.customerName,
          productId: item.productId,
          productName: item.productName,
          message:
            `${item.customerName}: ${item.licensesUnassigned} of ${item.licensesSold} seats of ` +
            `${item.productName} are not assigned (rule: at least ${rule.minSeats})`,
          values: {
            licensesSold: item.licensesSold,
            licensesDeployed: item.licensesDeployed,
            licensesUnassigned: item.licensesUnassigned,
            minSeats: rule.minSeats,
          },
        });
      }
      return out;
    case 'cost':
      for (const item of inputs.shelfware) {
        if (excluded(ex, item.customerTenantId, item.productId)) continue;
        const cost = item.monthlyCostUnassigned;
        if (cost === undefined || item.licensesUnassigned <= 0) continue;
        if (rule.currency !== null && item.currency?.toUpperCase() !== rule.currency) continue;
        if (cost < rule.minMonthlyCost) continue;
        out.push({
          key: `${rule.id}/${item.customerTenantId}/${item.productId}`,
          rule: rule.id,
          kind: rule.kind,
          customerTenantId: item.customerTenantId,
          customerName: item.customerName,
          productId: item.productId,
          productName: item.productName,
          message:
            `${item.customerName}: ${item.licensesUnassigned} unassigned seats of ${item.productName} ` +
            `cost ${money(cost, item.currency)} a month (rule: at least ${money(rule.minMonthlyCost, rule.currency ?? undefined)})`,
          values: {
            licensesUnassigned: item.licensesUnassigned,
            monthlyCostUnassigned: cost,
            currency: item.currency ?? null,
            monthlyUnitPrice: item.monthlyUnitPrice ?? null,
            minMonthlyCost: rule.minMonthlyCost,
          },
        });
      }
      return out;
    case 'renewal':
      for (const item of inputs.renewals) {
        if (excluded(ex, item.customerTenantId, item.productId)) continue;
        if (item.daysUntilEnd < 0 || item.daysUntilEnd > rule.withinDays) continue;
        if (item.reducibleSeats < rule.minSeats) continue;
        const name = item.friendlyName !== '' ? item.friendlyName : item.offerName;
        const when =
          item.daysUntilEnd === 0
            ? 'today'
            : `in ${item.daysUntilEnd} day${item.daysUntilEnd === 1 ? '' : 's'}`;
        const renew =
          item.autoRenewEnabled === true
            ? 'renews automatically'
            : item.autoRenewEnabled === false
              ? 'does not renew automatically'
              : '';
        const cost =
          item.monthlyCostReducible === undefined
            ? ''
            : `, ${money(item.monthlyCostReducible, item.currency)} a month`;
        out.push({
          key: `${rule.id}/${item.customerTenantId}/${item.subscriptionId}`,
          rule: rule.id,
          kind: rule.kind,
          customerTenantId: item.customerTenantId,
          customerName: item.customerName,
          productId: item.productId,
          productName: item.productName,
          message:
            `${item.customerName}: ${name} (${item.quantity} seats) ends on ${item.commitmentEndDate}, ${when}, ` +
            `with ${item.reducibleSeats} seat${item.reducibleSeats === 1 ? '' : 's'} that could be dropped${cost}` +
            `${renew === '' ? '' : `; it ${renew}`} (rule: within ${rule.withinDays} days, at least ${rule.minSeats})`,
          values: {
            subscriptionId: item.subscriptionId,
            offerName: item.offerName,
            quantity: item.quantity,
            commitmentEndDate: item.commitmentEndDate,
            daysUntilEnd: item.daysUntilEnd,
            autoRenewEnabled: item.autoRenewEnabled,
            licensesUnassigned: item.licensesUnassigned,
            reducibleSeats: item.reducibleSeats,
            monthlyCostReducible: item.monthlyCostReducible ?? null,
            currency: item.currency ?? null,
            withinDays: rule.withinDays,
          },
        });
      }
      return out;
    case 'deployment': {
      const customers = new Map<string, { name: string; sold: number; deployed: number }>();
      for (const p of inputs.products) {
        if (excluded(ex, p.customerTenantId, p.productId)) continue;
        const c = customers.get(p.customerTenantId) ?? { name: p.customerName, sold: 0, deployed: 0 };
        c.sold += p.licensesSold;
        // Seats deployed beyond those sold of a product do not make up for another product.
        c.deployed += Math.min(p.licensesDeployed, p.licensesSold);
        customers.set(p.customerTenantId, c);
      }
      for (const [tenant, c] of customers) {
        if (c.sold < rule.minSold) continue;
        const percent = Math.round((10_000 * c.deployed) / c.sold) / 100;
        if (percent >= rule.belowPercent) continue;
        out.push({
          key: `${rule.id}/${tenant}`,
          rule: rule.id,
          kind: rule.kind,
          customerTenantId: tenant,
          customerName: c.name,
          productId: null,
          productName: null,
          message:
            `${c.name}: ${figure(percent)}% of ${c.sold} seats deployed ` +
            `(rule: below ${figure(rule.belowPercent)}%)`,
          values: {
            licensesSold: c.sold,
            licensesDeployed: c.deployed,
            deploymentPercent: percent,
            belowPercent: rule.belowPercent,
          },
        });
      }
      return out;
    }
  }
}

/** What one evaluation changes: alerts that fire now, and stored ones that cleared. */
export interface Transition {
  /** Holding now and not stored: to deliver, then store. */
  readonly firing: readonly Alert[];
  /** Holding now and stored already: nothing to send. */
  readonly holding: readonly Alert[];
  /** Stored and no longer holding (or their rule is gone): to forget. */
  readonly cleared: readonly FiredAlert[];
}

/** Compares the alerts holding on a snapshot with those stored as fired. */
export function transition(current: readonly Alert[], stored: readonly AlertStateRecord[]): Transition {
  const storedKeys = new Map(stored.map((s) => [s.key, s]));
  const currentKeys = new Set(current.map((a) => a.key));
  return {
    firing: current.filter((a) => !storedKeys.has(a.key)),
    holding: current.filter((a) => storedKeys.has(a.key)),
    cleared: stored.filter((s) => !currentKeys.has(s.key)).map(readState),
  };
}

/** The state stored for an alert once it fired. */
export function stateOf(alert: Alert, processedDate: string, firedAt: string): AlertStateRecord {
  const fired: FiredAlert = { ...alert, processedDate, firedAt };
  return { key: alert.key, state: JSON.stringify(fired), updatedAt: firedAt };
}

/** A stored state read back; a state that cannot be read still clears under its key. */
export function readState(record: AlertStateRecord): FiredAlert {
  try {
    const parsed = JSON.parse(record.state) as Partial<FiredAlert>;
    if (typeof parsed === 'object' && parsed !== null && typeof parsed.message === 'string') {
      return { ...(parsed as FiredAlert), key: record.key };
    }
  } catch {
    // Falls through to the bare form.
  }
  const [rule = record.key, customer = ''] = record.key.split('/');
  const kind = (RULE_KINDS as readonly string[]).includes(rule) ? (rule as RuleKind) : 'unassigned';
  return {
    key: record.key,
    rule,
    kind,
    customerTenantId: customer,
    customerName: customer,
    productId: null,
    productName: null,
    message: record.key,
    values: {},
    processedDate: '',
    firedAt: record.updatedAt,
  };
}
