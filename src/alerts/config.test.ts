import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertsFileError, loadAlertsFile, parseAlertsText } from './config.ts';

const PARTNER = '8b1b5c3e-0000-4000-8000-000000000001';
const CUSTOMER = '6B4F1A2E-0C3D-4E5F-8A9B-0C1D2E3F4A5B';
const SKU = '6fd2c87f-b296-42f0-b197-1e91e994b900';

const YAML = `
partnerId: ${PARTNER}
checkEverySeconds: 5
notifyCleared: true
delivery:
  timeoutSeconds: 3
  attempts: 4
  backoffSeconds: 0.5
webhooks:
  - url: https://example.test/hook
    format: generic
    headers:
      Authorization: Bearer abc
  - url: https://hooks.slack.com/services/T/B/X
    format: slack
exclusions:
  customers: ['{${CUSTOMER.toLowerCase()}}']
  skus: [${SKU}]
  pairs:
    - customer: ${CUSTOMER}
      sku: ${SKU}
rules:
  - kind: unassigned
    minSeats: 5
  - kind: deployment
    belowPercent: 60
  - kind: cost
    id: cost-eur
    minMonthlyCost: 100
    currency: eur
  - kind: cost
    id: cost-any
    minMonthlyCost: 500
  - kind: renewal
    withinDays: 30
`;

/** The message of the error parsing `text` as `name` throws. */
function problem(text: string, name = 'alerts.yaml'): string {
  try {
    parseAlertsText(text, name);
  } catch (err) {
    expect(err).toBeInstanceOf(AlertsFileError);
    return (err as Error).message;
  }
  throw new Error('expected the file to be refused');
}

const MINIMAL = (rules: string) =>
  `webhooks:\n  - url: http://127.0.0.1:1/hook\nrules:\n${rules.replace(/^/gm, '  ')}\n`;

describe('the alerts file', () => {
  it('reads every setting of a YAML file, normalising GUIDs and currencies', () => {
    const config = parseAlertsText(YAML, 'alerts.yaml');
    expect(config.partnerId).toBe(PARTNER.toUpperCase());
    expect(config.checkEveryMs).toBe(5000);
    expect(config.notifyCleared).toBe(true);
    expect(config.delivery).toEqual({ timeoutMs: 3000, attempts: 4, backoffMs: 500 });
    expect(config.webhooks).toEqual([
      { url: 'https://example.test/hook', format: 'generic', headers: { Authorization: 'Bearer abc' } },
      { url: 'https://hooks.slack.com/services/T/B/X', format: 'slack', headers: {} },
    ]);
    expect([...config.exclusions.customers]).toEqual([CUSTOMER]);
    expect([...config.exclusions.skus]).toEqual([SKU.toUpperCase()]);
    expect([...config.exclusions.pairs]).toEqual([`${CUSTOMER}/${SKU.toUpperCase()}`]);
    expect(config.rules).toEqual([
      { kind: 'unassigned', id: 'unassigned', minSeats: 5 },
      { kind: 'deployment', id: 'deployment', belowPercent: 60, minSold: 1 },
      { kind: 'cost', id: 'cost-eur', minMonthlyCost: 100, currency: 'EUR' },
      { kind: 'cost', id: 'cost-any', minMonthlyCost: 500, currency: null },
      { kind: 'renewal', id: 'renewal', withinDays: 30, minSeats: 1 },
    ]);
  });

  it('reads JSON by its extension, with defaults for what it leaves out', () => {
    const config = parseAlertsText(
      JSON.stringify({
        webhooks: [{ url: 'http://localhost:9/x' }],
        rules: [{ kind: 'unassigned', minSeats: 1 }],
      }),
      'alerts.json',
    );
    expect(config).toMatchObject({
      source: 'alerts.json',
      partnerId: null,
      checkEveryMs: 30_000,
      notifyCleared: false,
      delivery: { timeoutMs: 10_000, attempts: 5, backoffMs: 1000 },
      webhooks: [{ url: 'http://localhost:9/x', format: 'generic', headers: {} }],
    });
  });

  it('names the file and the path of the value in every problem', () => {
    expect(problem(MINIMAL('- kind: unassigned\n  minSeats: 5\n- kind: cost\n  minMonthlyCost: -1'))).toBe(
      'alerts.yaml: rules[1].minMonthlyCost: expected a number ≥ 0, got -1',
    );
    expect(problem(MINIMAL('- kind: unassigned\n  minSeats: 5\n  threshold: 3'))).toBe(
      'alerts.yaml: rules[0].threshold: unknown key (expected one of: kind, minSeats, id)',
    );
    expect(problem(MINIMAL('- kind: seats\n  minSeats: 5'))).toBe(
      "alerts.yaml: rules[0].kind: expected one of unassigned, deployment, cost, renewal, got 'seats'",
    );
    expect(problem(MINIMAL('- kind: renewal'))).toBe('alerts.yaml: rules[0].withinDays: missing');
    expect(problem(MINIMAL('- kind: renewal\n  withinDays: 2.5'))).toBe(
      'alerts.yaml: rules[0].withinDays: expected a whole number ≥ 0 and ≤ 3660, got 2.5',
    );
    expect(problem(MINIMAL('- kind: deployment\n  belowPercent: 120'))).toBe(
      'alerts.yaml: rules[0].belowPercent: expected a number ≥ 0 and ≤ 100, got 120',
    );
    expect(problem(MINIMAL('- kind: cost\n  minMonthlyCost: 1\n  currency: euro'))).toBe(
      "alerts.yaml: rules[0].currency: expected an ISO 4217 code such as EUR, got 'euro'",
    );
    expect(problem(MINIMAL('- kind: unassigned\n  minSeats: 1\n- kind: unassigned\n  minSeats: 9'))).toBe(
      "alerts.yaml: rules[0]: the file has several 'unassigned' rules: give each an id",
    );
    expect(
      problem(
        MINIMAL('- kind: unassigned\n  id: a\n  minSeats: 1\n- kind: cost\n  id: a\n  minMonthlyCost: 9'),
      ),
    ).toBe("alerts.yaml: rules[1].id: 'a' names another rule too");
    expect(problem(`${MINIMAL('- kind: unassigned\n  minSeats: 1')}retries: 3\n`)).toBe(
      'alerts.yaml: retries: unknown key (expected one of: webhooks, rules, partnerId, checkEverySeconds, notifyCleared, delivery, exclusions)',
    );
    expect(problem('rules: []\nwebhooks: []\n')).toBe('alerts.yaml: webhooks: expected at least 1 entry');
    expect(problem('webhooks:\n  - url: ftp://x/y\nrules: []\n')).toBe(
      "alerts.yaml: webhooks[0].url: expected an http:// or https:// URL, got 'ftp://x/y'",
    );
    expect(problem('webhooks:\n  - url: http://x/y\n    format: discord\nrules: []\n')).toBe(
      "alerts.yaml: webhooks[0].format: expected one of generic, teams, slack, got 'discord'",
    );
    expect(
      problem(`${MINIMAL('- kind: unassigned\n  minSeats: 1')}exclusions:\n  customers: [contoso]\n`),
    ).toBe("alerts.yaml: exclusions.customers[0]: expected a GUID, got 'contoso'");
    expect(problem(`${MINIMAL('- kind: unassigned\n  minSeats: 1')}partnerId: 42\n`)).toBe(
      'alerts.yaml: partnerId: expected a GUID, got 42',
    );
    expect(problem('- just a list\n')).toBe('alerts.yaml: expected a mapping, got a list');
    expect(problem('webhooks: [\n', 'a.yml')).toMatch(/^a\.yml: not valid YAML: /);
    expect(problem('{"webhooks": ', 'a.json')).toMatch(/^a\.json: not valid JSON: /);
    expect(problem('webhooks: 1\nwebhooks: 2\nrules: []\n')).toMatch(
      /^alerts\.yaml: not valid YAML: .*unique/i,
    );
  });
});

describe('loadAlertsFile', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'seatwise-alerts-config-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('reads a file, and names a missing one', async () => {
    const path = join(dir, 'alerts.yml');
    await writeFile(path, YAML);
    expect((await loadAlertsFile(path)).source).toBe(path);
    await expect(loadAlertsFile(join(dir, 'none.yaml'))).rejects.toThrow(
      `${join(dir, 'none.yaml')}: no such file`,
    );
  });
});
