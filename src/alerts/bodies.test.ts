import { describe, expect, it } from 'vitest';
import { CHAT_LIST_LIMIT, escapeSlack, type Notice, summary, webhookBody } from './bodies.ts';
import type { Alert, FiredAlert } from './evaluate.ts';

const PARTNER = '8B1B5C3E-0000-4000-8000-000000000001';
const C1 = '6B4F1A2E-0C3D-4E5F-8A9B-0C1D2E3F4A5B';
const E3 = '6FD2C87F-B296-42F0-B197-1E91E994B900';

const ALERT: Alert = {
  key: `unassigned/${C1}/${E3}`,
  rule: 'unassigned',
  kind: 'unassigned',
  customerTenantId: C1,
  customerName: 'Smith & <Jones> *Ltd*',
  productId: E3,
  productName: 'OFFICE 365 E3',
  message: 'Smith & <Jones> *Ltd*: 7 of 20 seats of OFFICE 365 E3 are not assigned (rule: at least 5)',
  values: { licensesSold: 20, licensesDeployed: 13, licensesUnassigned: 7, minSeats: 5 },
};

const CLEARED: FiredAlert = {
  ...ALERT,
  key: `deployment/${C1}`,
  rule: 'deployment',
  kind: 'deployment',
  customerName: 'Contoso',
  productId: null,
  productName: null,
  message: 'Contoso: 40% of 10 seats deployed (rule: below 60%)',
  values: { deploymentPercent: 40 },
  processedDate: '2026-11-30',
  firedAt: '2026-11-30T06:00:00.000Z',
};

const NOTICE: Notice = {
  partnerId: PARTNER,
  processedDate: '2026-12-01',
  alerts: [ALERT],
  cleared: [CLEARED],
};

describe('webhook bodies', () => {
  it('generic: Seatwise JSON with every alert and the cleared ones', () => {
    expect(webhookBody('generic', NOTICE)).toEqual({
      source: 'seatwise',
      partnerId: PARTNER,
      processedDate: '2026-12-01',
      alerts: [
        {
          key: ALERT.key,
          rule: 'unassigned',
          kind: 'unassigned',
          customerTenantId: C1,
          customerName: 'Smith & <Jones> *Ltd*',
          productId: E3,
          productName: 'OFFICE 365 E3',
          message: ALERT.message,
          values: ALERT.values,
        },
      ],
      cleared: [
        {
          key: `deployment/${C1}`,
          rule: 'deployment',
          kind: 'deployment',
          customerTenantId: C1,
          customerName: 'Contoso',
          productId: null,
          productName: null,
          message: CLEARED.message,
          values: { deploymentPercent: 40 },
          firedAt: '2026-11-30T06:00:00.000Z',
        },
      ],
    });
    expect(webhookBody('generic', { ...NOTICE, test: true })).toMatchObject({
      source: 'seatwise',
      test: true,
    });
  });

  it('slack: text (required) and mrkdwn sections, user data escaped', () => {
    const body = webhookBody('slack', NOTICE) as {
      text: string;
      blocks: { type: string; text: { type: string; text: string } }[];
    };
    const head = `Seatwise: 1 new alert, 1 alert cleared on the snapshot of 2026-12-01 (partner ${PARTNER})`;
    expect(body.text).toBe(
      [
        head,
        '• Smith &amp; &lt;Jones&gt; *Ltd*: 7 of 20 seats of OFFICE 365 E3 are not assigned (rule: at least 5)',
        'Cleared:',
        `• ${CLEARED.message}`,
      ].join('\n'),
    );
    expect(body.blocks.map((b) => [b.type, b.text.type])).toEqual(Array(4).fill(['section', 'mrkdwn']));
    expect(body.blocks.map((b) => b.text.text)).toEqual([
      `*${head}*`,
      '• Smith &amp; &lt;Jones&gt; *Ltd*: 7 of 20 seats of OFFICE 365 E3 are not assigned (rule: at least 5)',
      '*Cleared*',
      `• ${CLEARED.message}`,
    ]);
    expect(escapeSlack('<!channel> & <@U1>')).toBe('&lt;!channel&gt; &amp; &lt;@U1&gt;');
  });

  it('slack: stays within 50 blocks and counts what it leaves out', () => {
    const many = Array.from({ length: 100 }, (_, i) => ({ ...ALERT, key: `k${i}`, message: `alert ${i}` }));
    const body = webhookBody('slack', { ...NOTICE, alerts: many, cleared: [] }) as {
      text: string;
      blocks: { text: { text: string } }[];
    };
    expect(body.blocks).toHaveLength(CHAT_LIST_LIMIT + 2);
    expect(body.blocks.at(-1)?.text.text).toBe(`…and ${100 - CHAT_LIST_LIMIT} more`);
    expect(body.text.split('\n')).toHaveLength(CHAT_LIST_LIMIT + 2);
  });

  it('teams: a Workflows message carrying an Adaptive Card', () => {
    const body = webhookBody('teams', NOTICE) as {
      type: string;
      attachments: { contentType: string; content: Record<string, unknown> }[];
    };
    expect(body.type).toBe('message');
    expect(body.attachments).toHaveLength(1);
    expect(body.attachments[0]?.contentType).toBe('application/vnd.microsoft.card.adaptive');
    const card = body.attachments[0]!.content as { body: Record<string, unknown>[] };
    expect(card).toMatchObject({
      $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
      type: 'AdaptiveCard',
      version: '1.4',
    });
    expect(card.body).toEqual([
      { type: 'TextBlock', text: summary(NOTICE), weight: 'Bolder', size: 'Medium', wrap: true },
      {
        type: 'FactSet',
        facts: [
          { title: 'Partner', value: PARTNER },
          { title: 'Snapshot', value: '2026-12-01' },
        ],
      },
      { type: 'TextBlock', text: `- ${ALERT.message}`, wrap: true, spacing: 'Small' },
      { type: 'TextBlock', text: 'Cleared', weight: 'Bolder', wrap: true, spacing: 'Medium' },
      { type: 'TextBlock', text: `- ${CLEARED.message}`, wrap: true, spacing: 'Small' },
    ]);
  });
});
