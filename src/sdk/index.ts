/**
 * `seatwise/sdk`: a typed client for Partner Center's licenses-deployment analytics and the customer
 * calls they build on (customers, subscribed SKUs, subscriptions), against the real Partner Center
 * or a Seatwise server. Depends on nothing but the platform's `fetch`.
 */

export type {
  CustomerResource,
  CustomersResource,
  LicenseDeploymentResource,
  PartnerClient,
  PartnerClientOptions,
  SeatwiseResource,
} from './client.ts';
export { createPartnerClient, PARTNER_CENTER_BASE_URL } from './client.ts';
export { PartnerCenterError } from './errors.ts';
export { Filter, literal, where } from './filter.ts';
export type { Credentials, RetryOptions } from './transport.ts';
export type * from './types.ts';
