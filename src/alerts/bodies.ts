/**
 * The request bodies of the three webhook formats (docs/alerts.md): Seatwise's own JSON
 * (`generic`), a Slack incoming webhook's `{text, blocks}` (`slack`) and a Microsoft Teams
 * Workflows "when a webhook request is received" message with an Adaptive Card (`teams`).
 */
import type { WebhookFormat } from './config.ts';
import type { Alert, FiredAlert } from './evaluate.ts';

/** What one delivery tells: the alerts that fire on a snapshot, and those that cleared on it. */
export interface Notice {
  readonly partnerId: string;
  readonly processedDate: string;
  readonly alerts: readonly Alert[];
  readonly cleared: readonly FiredAlert[];
  /** A test message (`seatwise alerts test --send`): nothing fired for real. */
  readonly test?: boolean;
}

/** At most this many alerts are listed one by one in a chat message; the rest are counted. */
export const CHAT_LIST_LIMIT = 40;

export function webhookBody(format: WebhookFormat, notice: Notice): unknown {
  switch (format) {
    case 'generic':
      return genericBody(notice);
    case 'slack':
      return slackBody(notice);
    case 'teams':
      return teamsBody(notice);
  }
}

function genericBody(notice: Notice): unknown {
  const alert = (a: Alert) => ({
    key: a.key,
    rule: a.rule,
    kind: a.kind,
    customerTenantId: a.customerTenantId,
    customerName: a.customerName,
    productId: a.productId,
    productName: a.productName,
    message: a.message,
    values: a.values,
  });
  return {
    source: 'seatwise',
    ...(notice.test === true ? { test: true } : {}),
    partnerId: notice.partnerId,
    processedDate: notice.processedDate,
    alerts: notice.alerts.map(alert),
    cleared: notice.cleared.map((c) => ({ ...alert(c), firedAt: c.firedAt })),
  };
}

/** The one-line summary chat messages start with. */
export function summary(notice: Notice): string {
  const parts: string[] = [];
  if (notice.alerts.length > 0)
    parts.push(`${notice.alerts.length} new alert${notice.alerts.length === 1 ? '' : 's'}`);
  if (notice.cleared.length > 0)
    parts.push(`${notice.cleared.length} alert${notice.cleared.length === 1 ? '' : 's'} cleared`);
  const what = parts.length === 0 ? 'no alerts' : parts.join(', ');
  return `${notice.test === true ? '[test] ' : ''}Seatwise: ${what} on the snapshot of ${notice.processedDate} (partner ${notice.partnerId})`;
}

/** Slack mrkdwn: `&`, `<` and `>` are control characters and must be escaped in user data. */
export function escapeSlack(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

/** A list of lines, the first `CHAT_LIST_LIMIT` of them and a count of the rest. */
function listed<T>(items: readonly T[], line: (item: T) => string): string[] {
  const shown = items.slice(0, CHAT_LIST_LIMIT).map(line);
  if (items.length > CHAT_LIST_LIMIT) shown.push(`…and ${items.length - CHAT_LIST_LIMIT} more`);
  return shown;
}

/** Slack takes at most 50 blocks in a message. */
const SLACK_BLOCKS = 50;

function slackBody(notice: Notice): unknown {
  const head = escapeSlack(summary(notice));
  const fired = listed(notice.alerts, (a) => `• ${escapeSlack(a.message)}`);
  const cleared = listed(notice.cleared, (c) => `• ${escapeSlack(c.message)}`);
  // One section per line (a section's text holds at most 3000 characters).
  const lines = [`*${head}*`, ...fired, ...(cleared.length > 0 ? ['*Cleared*', ...cleared] : [])];
  const shown =
    lines.length <= SLACK_BLOCKS
      ? lines
      : [...lines.slice(0, SLACK_BLOCKS - 1), `…and ${lines.length - SLACK_BLOCKS + 1} more lines`];
  const blocks = shown.map((line) => ({
    type: 'section',
    text: { type: 'mrkdwn', text: line.length > 2900 ? `${line.slice(0, 2899)}…` : line },
  }));
  const text = [head, ...fired, ...(cleared.length > 0 ? ['Cleared:', ...cleared] : [])].join('\n');
  return { text, blocks };
}

function teamsBody(notice: Notice): unknown {
  const body: unknown[] = [
    { type: 'TextBlock', text: summary(notice), weight: 'Bolder', size: 'Medium', wrap: true },
  ];
  const block = (text: string) => ({ type: 'TextBlock', text, wrap: true, spacing: 'Small' });
  body.push({
    type: 'FactSet',
    facts: [
      { title: 'Partner', value: notice.partnerId },
      { title: 'Snapshot', value: notice.processedDate },
    ],
  });
  if (notice.alerts.length > 0) {
    for (const line of listed(notice.alerts, (a) => `- ${a.message}`)) body.push(block(line));
  }
  if (notice.cleared.length > 0) {
    body.push({ type: 'TextBlock', text: 'Cleared', weight: 'Bolder', wrap: true, spacing: 'Medium' });
    for (const line of listed(notice.cleared, (c) => `- ${c.message}`)) body.push(block(line));
  }
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.4',
          body,
        },
      },
    ],
  };
}
