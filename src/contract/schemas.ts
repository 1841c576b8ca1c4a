/**
 * Every wire shape of the licenses-deployment API, defined once. Fastify validates requests with
 * these, the OpenAPI document is generated from them, and TypeScript types are derived from them
 * (`Static<typeof X>`), so the SDK and the server cannot drift apart.
 */
import { type Static, Type } from 'typebox';

const guidPattern = '^\\{?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\\}?$';

export const ApiFault = Type.Object(
  {
    code: Type.Integer({ description: 'Partner Center error code (docs/errors.md).' }),
    description: Type.String(),
    data: Type.Array(Type.Unknown(), { description: 'Details; parse errors carry `{ position, token }`.' }),
    source: Type.String({ description: 'The component that raised the error.' }),
  },
  { $id: 'ApiFault', additionalProperties: false },
);
export type ApiFault = Static<typeof ApiFault>;

export const ThrottleBody = Type.Object(
  { statusCode: Type.Literal(429), message: Type.String() },
  { $id: 'ThrottleBody' },
);

/** E5 query parameters. Names carry no `$`; unknown parameters are ignored. */
export const DeploymentQueryParams = Type.Object(
  {
    top: Type.Optional(
      Type.String({
        pattern: '^[0-9]+$',
        description: 'Rows per page, 0..10000 (larger values are capped at 10000). Default 10000.',
      }),
    ),
    skip: Type.Optional(Type.String({ pattern: '^[0-9]+$', description: 'Rows to skip. Default 0.' })),
    filter: Type.Optional(
      Type.String({
        description:
          "Filter expression, e.g. `serviceCode eq 'o365' and channel ne 'direct'` (docs/query-language.md).",
      }),
    ),
    groupby: Type.Optional(
      Type.String({ description: 'Comma-separated dimensions to aggregate by, e.g. `serviceCode,channel`.' }),
    ),
    processedDateTime: Type.Optional(
      Type.String({
        description: 'Snapshot day: `YYYY-MM-DD` or an ISO 8601 date-time. Default: the latest.',
      }),
    ),
  },
  { additionalProperties: true },
);
export type DeploymentQueryParams = Static<typeof DeploymentQueryParams>;

/** `GET /seatwise/v1/trend`'s parameters; checked by `parseTrendQuery` (docs/extension-api.md). */
export const TrendQueryParams = Type.Object(
  {
    from: Type.Optional(
      Type.String({
        description: 'First processed date, `YYYY-MM-DD`, inclusive. Default: the first snapshot.',
      }),
    ),
    to: Type.Optional(
      Type.String({
        description: 'Last processed date, `YYYY-MM-DD`, inclusive. Default: the latest snapshot.',
      }),
    ),
    groupby: Type.Optional(
      Type.String({
        description: 'Comma-separated E5 dimensions to split each day by, e.g. `serviceCode,channel`.',
      }),
    ),
    filter: Type.Optional(
      Type.String({
        description: "E5 filter expression, e.g. `serviceCode eq 'o365'` (docs/query-language.md).",
      }),
    ),
  },
  { additionalProperties: true },
);

/** `GET /seatwise/v1/changes`'s parameters; checked by `parseChangesQuery` (docs/extension-api.md). */
export const ChangesQueryParams = Type.Object(
  {
    from: Type.Optional(Type.String({ description: 'Required. The snapshot compared from, `YYYY-MM-DD`.' })),
    to: Type.Optional(Type.String({ description: 'Required. The snapshot compared to, `YYYY-MM-DD`.' })),
    filter: Type.Optional(
      Type.String({
        description: "E5 filter expression applied to both snapshots' rows (docs/query-language.md).",
      }),
    ),
    top: Type.Optional(
      Type.String({ description: 'Items per page, 0..10000 (larger values are capped). Default 10000.' }),
    ),
    skip: Type.Optional(Type.String({ description: 'Items to skip. Default 0.' })),
  },
  { additionalProperties: true },
);

/**
 * One row (customer, product, channel) that differs between two snapshots. `added`: only in `to`;
 * `removed`: only in `from`; `changed`: other sold or deployed counts.
 */
export const ChangeItem = Type.Object({
  customerTenantId: Type.String(),
  customerName: Type.String(),
  productId: Type.String(),
  productName: Type.String(),
  serviceCode: Type.String(),
  serviceName: Type.String(),
  channel: Type.String(),
  kind: Type.Union([Type.Literal('added'), Type.Literal('removed'), Type.Literal('changed')]),
  licensesSoldBefore: Type.Integer(),
  licensesSoldAfter: Type.Integer(),
  licensesSoldDelta: Type.Integer(),
  licensesDeployedBefore: Type.Integer(),
  licensesDeployedAfter: Type.Integer(),
  licensesDeployedDelta: Type.Integer(),
});
export type ChangeItem = Static<typeof ChangeItem>;

/** `GET /seatwise/v1/changes`'s body. */
export const ChangesResponse = Type.Object({
  from: Type.String(),
  to: Type.String(),
  value: Type.Array(ChangeItem),
  '@nextLink': Type.Optional(Type.String({ description: 'The next page, when there is one.' })),
  totalCount: Type.Integer(),
});

/** `GET /seatwise/v1/trend`'s body. */
export const TrendResponse = Type.Object({
  value: Type.Array(
    Type.Object(
      {
        processedDate: Type.String({ description: '`YYYY-MM-DD`.' }),
        licensesSold: Type.Integer(),
        licensesDeployed: Type.Integer(),
      },
      { additionalProperties: true, description: 'Plus one property per groupby field.' },
    ),
  ),
  totalCount: Type.Integer(),
});

export const DeploymentRow = Type.Object(
  {
    processedDateTime: Type.String({ description: '`YYYY-MM-DDTHH:mm:ss`, UTC, no zone.' }),
    serviceCode: Type.String(),
    serviceName: Type.String(),
    channel: Type.String(),
    customerTenantId: Type.String({ description: 'Upper-case GUID.' }),
    customerName: Type.String(),
    productId: Type.String({ description: 'Upper-case GUID.' }),
    productName: Type.String(),
    licensesDeployed: Type.Integer(),
    licensesSold: Type.Integer(),
  },
  { $id: 'DeploymentRow', additionalProperties: false },
);
export type DeploymentRow = Static<typeof DeploymentRow>;

/** A grouped row: the groupby fields in the order given, plus the two sums. */
export const GroupedDeploymentRow = Type.Object(
  {
    serviceCode: Type.Optional(Type.String()),
    serviceName: Type.Optional(Type.String()),
    channel: Type.Optional(Type.String()),
    customerTenantId: Type.Optional(Type.String()),
    customerName: Type.Optional(Type.String()),
    productId: Type.Optional(Type.String()),
    productName: Type.Optional(Type.String()),
    licensesDeployed: Type.Integer(),
    licensesSold: Type.Integer(),
  },
  { $id: 'GroupedDeploymentRow', additionalProperties: false },
);
export type GroupedDeploymentRow = Static<typeof GroupedDeploymentRow>;

export const DeploymentPage = Type.Object(
  {
    Value: Type.Array(Type.Union([Type.Ref('DeploymentRow'), Type.Ref('GroupedDeploymentRow')])),
    '@nextLink': Type.Union([
      Type.String({ description: 'Root-relative URL of the next page, or null on the last page.' }),
      Type.Null(),
    ]),
    TotalCount: Type.Integer({ description: 'Rows (or groups) matching the whole query.' }),
  },
  { $id: 'DeploymentPage' },
);

const InsightAttributes = <T extends string>(objectType: T) =>
  Type.Object({ objectType: Type.Literal(objectType) }, { additionalProperties: false });

export const PartnerLicensesDeploymentInsights = Type.Object(
  {
    proratedDeploymentPercent: Type.Number({ description: '0..100, two decimals, license-weighted.' }),
    licensesSold: Type.Integer(),
    processedDateTime: Type.String({ description: '`YYYY-MM-DDTHH:mm:ss+00:00`' }),
    serviceName: Type.String({ description: 'The short service code, e.g. `o365` or `crm`.' }),
    channel: Type.String(),
    attributes: InsightAttributes('PartnerLicensesDeploymentInsights'),
  },
  { $id: 'PartnerLicensesDeploymentInsights', additionalProperties: false },
);
export type PartnerLicensesDeploymentInsights = Static<typeof PartnerLicensesDeploymentInsights>;

export const CustomerLicensesDeploymentInsights = Type.Object(
  {
    licensesDeployed: Type.Integer(),
    licensesSold: Type.Integer(),
    deploymentPercent: Type.Number({ description: '0..100, two decimals, deployed capped at sold.' }),
    customerId: Type.String(),
    customerName: Type.String(),
    productName: Type.String(),
    serviceCode: Type.String(),
    serviceName: Type.String(),
    channel: Type.String(),
    processedDateTime: Type.String(),
    attributes: InsightAttributes('CustomerLicensesDeploymentInsights'),
  },
  { $id: 'CustomerLicensesDeploymentInsights', additionalProperties: false },
);
export type CustomerLicensesDeploymentInsights = Static<typeof CustomerLicensesDeploymentInsights>;

const collectionOf = <T extends ReturnType<typeof Type.Ref>>(item: T, id: string) =>
  Type.Object(
    {
      totalCount: Type.Integer(),
      items: Type.Array(item),
      attributes: InsightAttributes('Collection'),
    },
    { $id: id },
  );

export const PartnerInsightsCollection = collectionOf(
  Type.Ref('PartnerLicensesDeploymentInsights'),
  'PartnerInsightsCollection',
);
export const CustomerInsightsCollection = collectionOf(
  Type.Ref('CustomerLicensesDeploymentInsights'),
  'CustomerInsightsCollection',
);

export const CustomerIdParams = Type.Object({
  customerId: Type.String({
    pattern: guidPattern,
    description: 'Customer tenant id (GUID, braces allowed).',
  }),
});

export const Health = Type.Object(
  { status: Type.Literal('ok'), store: Type.String(), version: Type.String() },
  { $id: 'Health' },
);

/** Schemas registered by `$id` so routes and the OpenAPI document can reference them. */
export const SHARED_SCHEMAS = [
  ApiFault,
  ThrottleBody,
  DeploymentRow,
  GroupedDeploymentRow,
  DeploymentPage,
  PartnerLicensesDeploymentInsights,
  CustomerLicensesDeploymentInsights,
  PartnerInsightsCollection,
  CustomerInsightsCollection,
  Health,
] as const;

const pagingParams = {
  filter: Type.Optional(
    Type.String({
      description: "E5 filter expression, e.g. `customerName eq 'Contoso'` (docs/query-language.md).",
    }),
  ),
  top: Type.Optional(
    Type.String({ description: 'Items per page, 0..10000 (larger values are capped). Default 10000.' }),
  ),
  skip: Type.Optional(Type.String({ description: 'Items to skip. Default 0.' })),
  processedDateTime: Type.Optional(
    Type.String({
      description: 'The snapshot, `YYYY-MM-DD` (a date-time is cut to its day). Default: the latest.',
    }),
  ),
};

/** `GET /seatwise/v1/shelfware`'s parameters; checked by `parseShelfwareQuery` (docs/extension-api.md). */
export const ShelfwareQueryParams = Type.Object(pagingParams, { additionalProperties: true });

/** `GET /seatwise/v1/renewals`'s parameters; checked by `parseRenewalsQuery` (docs/extension-api.md). */
export const RenewalsQueryParams = Type.Object(
  {
    withinDays: Type.Optional(
      Type.String({
        description:
          "Subscriptions whose term ends within this many days of the snapshot's date, 0..3660. Default 30.",
      }),
    ),
    ...pagingParams,
  },
  { additionalProperties: true },
);

const money = (description: string) => Type.Optional(Type.Number({ description }));

/** Price fields of an item, present only when a price of its product is known (docs/prices.md). */
const priceFields = {
  unitPrice: money('The price of one seat for one billing period, as imported.'),
  currency: Type.Optional(Type.String({ description: 'ISO 4217 code of the price.' })),
  billingPlan: Type.Optional(Type.String({ description: '`monthly`, `annual`, `triennial` or `onetime`.' })),
  termDuration: Type.Optional(
    Type.String({ description: 'ISO 8601 term of the price (`P1M`, `P1Y`, `P3Y`).' }),
  ),
  monthlyUnitPrice: money('`unitPrice` per seat and month.'),
};

/** One customer's product with seats sold but not assigned on a snapshot. */
export const ShelfwareItem = Type.Object({
  customerTenantId: Type.String(),
  customerName: Type.String(),
  productId: Type.String(),
  productName: Type.String(),
  licensesSold: Type.Integer(),
  licensesDeployed: Type.Integer(),
  licensesUnassigned: Type.Integer({ description: 'Sold minus deployed, never below 0.' }),
  ...priceFields,
  monthlyCostUnassigned: money('`monthlyUnitPrice` × `licensesUnassigned`, rounded to cents.'),
});
export type ShelfwareItem = Static<typeof ShelfwareItem>;

/** The sums over every item of a currency (never across currencies). */
export const ShelfwareTotal = Type.Object({
  currency: Type.String(),
  items: Type.Integer(),
  licensesUnassigned: Type.Integer(),
  monthlyCostUnassigned: Type.Number(),
});
export type ShelfwareTotal = Static<typeof ShelfwareTotal>;

/** `GET /seatwise/v1/shelfware`'s body. */
export const ShelfwareResponse = Type.Object({
  processedDate: Type.Union([Type.String(), Type.Null()], {
    description: 'The snapshot read; null without one.',
  }),
  value: Type.Array(ShelfwareItem),
  '@nextLink': Type.Optional(Type.String({ description: 'The next page, when there is one.' })),
  totalCount: Type.Integer(),
  totals: Type.Array(ShelfwareTotal, { description: 'Per currency, over every item (not only the page).' }),
  unpriced: Type.Object(
    { items: Type.Integer(), licensesUnassigned: Type.Integer() },
    { description: 'The items without a known price.' },
  ),
});

/** One subscription whose term ends within the window, with what could be dropped at renewal. */
export const RenewalItem = Type.Object({
  customerTenantId: Type.String(),
  customerName: Type.String(),
  subscriptionId: Type.String(),
  offerId: Type.String(),
  offerName: Type.String(),
  friendlyName: Type.String(),
  productId: Type.Union([Type.String(), Type.Null()]),
  productName: Type.Union([Type.String(), Type.Null()]),
  quantity: Type.Integer(),
  termDuration: Type.String({
    description: "The subscription's term (`P1M`, `P1Y`, `P3Y`), '' when unknown.",
  }),
  billingCycle: Type.String({ description: "The subscription's billing cycle, lower case." }),
  commitmentEndDate: Type.String({ description: '`YYYY-MM-DD`.' }),
  daysUntilEnd: Type.Integer({ description: "Days from the snapshot's date to `commitmentEndDate`." }),
  autoRenewEnabled: Type.Union([Type.Boolean(), Type.Null()]),
  licensesUnassigned: Type.Union([Type.Integer(), Type.Null()], {
    description: "Unassigned seats of the customer's product on the snapshot; null when no product is known.",
  }),
  reducibleSeats: Type.Integer({
    description: 'min(quantity, licensesUnassigned): seats that could be dropped.',
  }),
  unitPrice: priceFields.unitPrice,
  currency: priceFields.currency,
  billingPlan: priceFields.billingPlan,
  monthlyUnitPrice: priceFields.monthlyUnitPrice,
  monthlyCostReducible: money('`monthlyUnitPrice` × `reducibleSeats`, rounded to cents.'),
});
export type RenewalItem = Static<typeof RenewalItem>;

export const RenewalTotal = Type.Object({
  currency: Type.String(),
  items: Type.Integer(),
  reducibleSeats: Type.Integer(),
  monthlyCostReducible: Type.Number(),
});
export type RenewalTotal = Static<typeof RenewalTotal>;

/** `GET /seatwise/v1/renewals`'s body. */
export const RenewalsResponse = Type.Object({
  processedDate: Type.Union([Type.String(), Type.Null()]),
  withinDays: Type.Integer(),
  value: Type.Array(RenewalItem),
  '@nextLink': Type.Optional(Type.String()),
  totalCount: Type.Integer(),
  totals: Type.Array(RenewalTotal, { description: 'Per currency, over every item with a price.' }),
});
