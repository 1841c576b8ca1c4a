/**
 * The alerts file (`serve --alerts FILE`, `seatwise alerts test`; docs/alerts.md): JSON or YAML,
 * read and checked strictly. Every problem names the file and the JSON path of the value, e.g.
 * `alerts.yaml: rules[2].threshold: unknown key`; unknown keys are refused, so a misspelt setting
 * never silently does nothing.
 */
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { normalizeGuid } from '../domain/guid.ts';

export const WEBHOOK_FORMATS = ['generic', 'teams', 'slack'] as const;
export type WebhookFormat = (typeof WEBHOOK_FORMATS)[number];

export const RULE_KINDS = ['unassigned', 'deployment', 'cost', 'renewal'] as const;
export type RuleKind = (typeof RULE_KINDS)[number];

export interface Webhook {
  readonly url: string;
  readonly format: WebhookFormat;
  /** Extra request headers (e.g. an authorization the receiver wants); never logged. */
  readonly headers: Readonly<Record<string, string>>;
}

interface RuleBase {
  /** Names the rule in alert keys: the rule's `id`, or its kind when the file has one rule of that kind. */
  readonly id: string;
}

/** Per customer and product: at least `minSeats` seats sold and not assigned. */
export interface UnassignedRule extends RuleBase {
  readonly kind: 'unassigned';
  readonly minSeats: number;
}

/** Per customer: deployed seats below `belowPercent` % of the sold ones, with at least `minSold` sold. */
export interface DeploymentRule extends RuleBase {
  readonly kind: 'deployment';
  readonly belowPercent: number;
  readonly minSold: number;
}

/** Per customer and product: unassigned seats cost at least `minMonthlyCost` a month (in `currency` only, if given). */
export interface CostRule extends RuleBase {
  readonly kind: 'cost';
  readonly minMonthlyCost: number;
  readonly currency: string | null;
}

/** Per subscription: its term ends within `withinDays` days with at least `minSeats` seats that could be dropped. */
export interface RenewalRule extends RuleBase {
  readonly kind: 'renewal';
  readonly withinDays: number;
  readonly minSeats: number;
}

export type AlertRule = UnassignedRule | DeploymentRule | CostRule | RenewalRule;

export interface Exclusions {
  /** Upper-case customer tenant ids. */
  readonly customers: ReadonlySet<string>;
  /** Upper-case skuIds (the rows' productId). */
  readonly skus: ReadonlySet<string>;
  /** `<customer>/<sku>`, upper case. */
  readonly pairs: ReadonlySet<string>;
}

export interface DeliverySettings {
  /** Per attempt. */
  readonly timeoutMs: number;
  /** Attempts in all, the first one included. */
  readonly attempts: number;
  /** The wait before the first retry; each later one waits twice as long as the one before. */
  readonly backoffMs: number;
}

export interface AlertsConfig {
  /** Where the file was read from, for messages. */
  readonly source: string;
  /** Upper-case GUID, or null to use the server's partner. */
  readonly partnerId: string | null;
  readonly checkEveryMs: number;
  /** Also deliver a message when alerts clear (without a new one firing). */
  readonly notifyCleared: boolean;
  readonly delivery: DeliverySettings;
  readonly webhooks: readonly Webhook[];
  readonly exclusions: Exclusions;
  readonly rules: readonly AlertRule[];
}

export const DEFAULT_CHECK_EVERY_SECONDS = 30;
export const DEFAULT_DELIVERY = Object.freeze({ timeoutSeconds: 10, attempts: 5, backoffSeconds: 1 });

/** A problem with the alerts file, with the file and the path of the value in its message. */
export class AlertsFileError extends Error {
  override readonly name = 'AlertsFileError';
}

/** Reads and checks an alerts file; `.json` is read as JSON, anything else as YAML. */
export async function loadAlertsFile(path: string): Promise<AlertsConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new AlertsFileError(
      `${path}: ${code === 'ENOENT' ? 'no such file' : err instanceof Error ? err.message : String(err)}`,
    );
  }
  return parseAlertsText(text, path);
}

/**
 * Parses the text of an alerts file (JSON for a `.json` path, else YAML) and checks it; messages
 * start with `path` as given.
 */
export function parseAlertsText(text: string, path: string): AlertsConfig {
  const name = path;
  let doc: unknown;
  if (extname(path).toLowerCase() === '.json') {
    try {
      doc = JSON.parse(text.replace(/^\uFEFF/, ''));
    } catch (err) {
      throw new AlertsFileError(
        `${name}: not valid JSON: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
  } else {
    try {
      doc = parseYaml(text, { uniqueKeys: true, prettyErrors: true });
    } catch (err) {
      const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
      throw new AlertsFileError(`${name}: not valid YAML: ${message}`);
    }
  }
  return checkAlerts(doc, name);
}

/** Checks a parsed alerts document; `name` prefixes every message. */
export function checkAlerts(doc: unknown, name: string): AlertsConfig {
  const fail = (path: string, message: string): never => {
    throw new AlertsFileError(`${name}: ${path === '' ? '' : `${path}: `}${message}`);
  };
  const top = object(doc, '', fail, {
    required: ['webhooks', 'rules'],
    optional: ['partnerId', 'checkEverySeconds', 'notifyCleared', 'delivery', 'exclusions'],
  });

  const partnerId = top.partnerId === undefined ? null : guid(top.partnerId, 'partnerId', fail);
  const checkEverySeconds =
    top.checkEverySeconds === undefined
      ? DEFAULT_CHECK_EVERY_SECONDS
      : number(top.checkEverySeconds, 'checkEverySeconds', fail, { min: 0.05, max: 86_400 });
  const notifyCleared =
    top.notifyCleared === undefined ? false : boolean(top.notifyCleared, 'notifyCleared', fail);

  let delivery: DeliverySettings = {
    timeoutMs: DEFAULT_DELIVERY.timeoutSeconds * 1000,
    attempts: DEFAULT_DELIVERY.attempts,
    backoffMs: DEFAULT_DELIVERY.backoffSeconds * 1000,
  };
  if (top.delivery !== undefined) {
    const d = object(top.delivery, 'delivery', fail, {
      optional: ['timeoutSeconds', 'attempts', 'backoffSeconds'],
    });
    delivery = {
      timeoutMs:
        d.timeoutSeconds === undefined
          ? delivery.timeoutMs
          : number(d.timeoutSeconds, 'delivery.timeoutSeconds', fail, { min: 0.05, max: 300 }) * 1000,
      attempts:
        d.attempts === undefined
          ? delivery.attempts
          : integer(d.attempts, 'delivery.attempts', fail, { min: 1, max: 20 }),
      backoffMs:
        d.backoffSeconds === undefined
          ? delivery.backoffMs
          : number(d.backoffSeconds, 'delivery.backoffSeconds', fail, { min: 0, max: 3600 }) * 1000,
    };
  }

  const webhooks = array(top.webhooks, 'webhooks', fail, { min: 1 }).map((w, i): Webhook => {
    const path = `webhooks[${i}]`;
    const o = object(w, path, fail, { required: ['url'], optional: ['format', 'headers'] });
    const url = string(o.url, `${path}.url`, fail);
    let parsed: URL | undefined;
    try {
      parsed = new URL(url);
    } catch {
      parsed = undefined;
    }
    if (parsed === undefined || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:'))
      fail(`${path}.url`, `expected an http:// or https:// URL, got '${url}'`);
    const format =
      o.format === undefined ? 'generic' : oneOf(o.format, `${path}.format`, WEBHOOK_FORMATS, fail);
    const headers: Record<string, string> = {};
    if (o.headers !== undefined) {
      const h = object(o.headers, `${path}.headers`, fail, {});
      for (const [key, value] of Object.entries(h)) {
        if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(key))
          fail(`${path}.headers`, `'${key}' is not a header name`);
        headers[key] = string(value, `${path}.headers.${key}`, fail);
      }
    }
    return { url, format, headers };
  });

  const customers = new Set<string>();
  const skus = new Set<string>();
  const pairs = new Set<string>();
  if (top.exclusions !== undefined) {
    const e = object(top.exclusions, 'exclusions', fail, { optional: ['customers', 'skus', 'pairs'] });
    if (e.customers !== undefined) {
      for (const [i, c] of array(e.customers, 'exclusions.customers', fail).entries())
        customers.add(guid(c, `exclusions.customers[${i}]`, fail));
    }
    if (e.skus !== undefined) {
      for (const [i, s] of array(e.skus, 'exclusions.skus', fail).entries())
        skus.add(guid(s, `exclusions.skus[${i}]`, fail));
    }
    if (e.pairs !== undefined)
      array(e.pairs, 'exclusions.pairs', fail).forEach((p, i) => {
        const path = `exclusions.pairs[${i}]`;
        const o = object(p, path, fail, { required: ['customer', 'sku'] });
        pairs.add(`${guid(o.customer, `${path}.customer`, fail)}/${guid(o.sku, `${path}.sku`, fail)}`);
      });
  }

  const ruleList = array(top.rules, 'rules', fail, { min: 1 });
  const kinds = ruleList.map((r, i) => {
    const o = object(r, `rules[${i}]`, fail, { required: ['kind'], optional: [] }, true);
    return oneOf(o.kind, `rules[${i}].kind`, RULE_KINDS, fail);
  });
  const ids = new Set<string>();
  const rules = ruleList.map((r, i): AlertRule => {
    const path = `rules[${i}]`;
    const kind = kinds[i]!;
    const keys: Record<RuleKind, { required: string[]; optional: string[] }> = {
      unassigned: { required: ['minSeats'], optional: [] },
      deployment: { required: ['belowPercent'], optional: ['minSold'] },
      cost: { required: ['minMonthlyCost'], optional: ['currency'] },
      renewal: { required: ['withinDays'], optional: ['minSeats'] },
    };
    const o = object(r, path, fail, {
      required: ['kind', ...keys[kind].required],
      optional: ['id', ...keys[kind].optional],
    });
    let id: string;
    if (o.id !== undefined) {
      id = string(o.id, `${path}.id`, fail);
      if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(id))
        fail(`${path}.id`, `expected letters, digits, '.', '_' or '-' (at most 64), got '${id}'`);
    } else {
      if (kinds.filter((k) => k === kind).length > 1)
        fail(path, `the file has several '${kind}' rules: give each an id`);
      id = kind;
    }
    if (ids.has(id)) fail(`${path}.id`, `'${id}' names another rule too`);
    ids.add(id);
    return checkRule(kind, id, o, path, fail);
  });

  return {
    source: name,
    partnerId,
    checkEveryMs: Math.round(checkEverySeconds * 1000),
    notifyCleared,
    delivery,
    webhooks,
    exclusions: { customers, skus, pairs },
    rules,
  };
}

type Fail = (path: string, message: string) => never;

/** A rule's own settings, once its kind and id are known. */
function checkRule(
  kind: RuleKind,
  id: string,
  o: Record<string, unknown>,
  path: string,
  fail: Fail,
): AlertRule {
  switch (kind) {
    case 'unassigned':
      return { kind, id, minSeats: integer(o.minSeats, `${path}.minSeats`, fail, { min: 1 }) };
    case 'deployment':
      return {
        kind,
        id,
        belowPercent: number(o.belowPercent, `${path}.belowPercent`, fail, { min: 0, max: 100 }),
        minSold: o.minSold === undefined ? 1 : integer(o.minSold, `${path}.minSold`, fail, { min: 1 }),
      };
    case 'cost': {
      let currency: string | null = null;
      if (o.currency !== undefined) {
        currency = string(o.currency, `${path}.currency`, fail).toUpperCase();
        if (!/^[A-Z]{3}$/.test(currency))
          fail(`${path}.currency`, `expected an ISO 4217 code such as EUR, got '${String(o.currency)}'`);
      }
      return {
        kind,
        id,
        minMonthlyCost: number(o.minMonthlyCost, `${path}.minMonthlyCost`, fail, { min: 0 }),
        currency,
      };
    }
    case 'renewal':
      return {
        kind,
        id,
        withinDays: integer(o.withinDays, `${path}.withinDays`, fail, { min: 0, max: 3660 }),
        minSeats: o.minSeats === undefined ? 1 : integer(o.minSeats, `${path}.minSeats`, fail, { min: 1 }),
      };
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `'${value}'`;
  return String(value);
}

/**
 * A mapping with the given keys. `partial` checks only that it is a mapping with the required
 * keys (used to read a rule's kind before its other keys are known).
 */
function object(
  value: unknown,
  path: string,
  fail: Fail,
  keys: { required?: readonly string[]; optional?: readonly string[] },
  partial = false,
): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    fail(path, `expected a mapping, got ${describe(value)}`);
  const o = value as Record<string, unknown>;
  const at = (key: string) => (path === '' ? key : `${path}.${key}`);
  for (const key of keys.required ?? []) if (o[key] === undefined) fail(at(key), 'missing');
  if (partial || (keys.required === undefined && keys.optional === undefined)) return o;
  const known = new Set([...(keys.required ?? []), ...(keys.optional ?? [])]);
  for (const key of Object.keys(o)) {
    if (!known.has(key)) fail(at(key), `unknown key (expected one of: ${[...known].join(', ')})`);
  }
  return o;
}

function array(value: unknown, path: string, fail: Fail, { min = 0 } = {}): unknown[] {
  if (!Array.isArray(value)) return fail(path, `expected a list, got ${describe(value)}`);
  if (value.length < min) fail(path, `expected at least ${min} entr${min === 1 ? 'y' : 'ies'}`);
  return value;
}

function string(value: unknown, path: string, fail: Fail): string {
  if (typeof value !== 'string' || value.trim() === '')
    return fail(path, `expected a non-empty string, got ${describe(value)}`);
  return value.trim();
}

function boolean(value: unknown, path: string, fail: Fail): boolean {
  if (typeof value !== 'boolean') return fail(path, `expected true or false, got ${describe(value)}`);
  return value;
}

function number(
  value: unknown,
  path: string,
  fail: Fail,
  { min = 0, max = Number.MAX_SAFE_INTEGER } = {},
): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max)
    return fail(
      path,
      `expected a number ≥ ${min}${max < Number.MAX_SAFE_INTEGER ? ` and ≤ ${max}` : ''}, got ${describe(value)}`,
    );
  return value;
}

function integer(
  value: unknown,
  path: string,
  fail: Fail,
  { min = 0, max = Number.MAX_SAFE_INTEGER } = {},
): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max)
    return fail(
      path,
      `expected a whole number ≥ ${min}${max < Number.MAX_SAFE_INTEGER ? ` and ≤ ${max}` : ''}, got ${describe(value)}`,
    );
  return value;
}

function guid(value: unknown, path: string, fail: Fail): string {
  const id = typeof value === 'string' ? normalizeGuid(value.trim()) : undefined;
  if (id === undefined) return fail(path, `expected a GUID, got ${describe(value)}`);
  return id;
}

function oneOf<T extends string>(value: unknown, path: string, options: readonly T[], fail: Fail): T {
  if (typeof value !== 'string' || !(options as readonly string[]).includes(value))
    return fail(path, `expected one of ${options.join(', ')}, got ${describe(value)}`);
  return value as T;
}
