/**
 * Row files for the end-to-end tests: the CSV header, E3 seats of numbered customers, and dates
 * counted back from today. Each test file numbers its customers under an id prefix of its own, so
 * that two files never write the same customer.
 */
import type { DeploymentRow } from '../../src/domain/row.ts';

/** The header of a row file, in the order Partner Center emits the fields (and `export` writes them). */
export const HEADER =
  'processedDateTime,serviceCode,serviceName,channel,customerTenantId,customerName,productId,productName,licensesDeployed,licensesSold';

/** The product id of Office 365 E3. */
export const E3 = '6FD2C87F-B296-42F0-B197-1E91E994B900';

/** `YYYY-MM-DD`, `n` days before today (UTC): prune counts from today. */
export function daysAgo(n: number): string {
  return new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);
}

/** A row's values in HEADER's order, as a row file holds them (the processed date for its time). */
export function rowValues(r: DeploymentRow): (string | number)[] {
  return [
    r.processedDate,
    r.serviceCode,
    r.serviceName,
    r.channel,
    r.customerTenantId,
    r.customerName,
    r.productId,
    r.productName,
    r.licensesDeployed,
    r.licensesSold,
  ];
}

/** Licenses sold by customer `i`: one number for every customer, or one per customer. */
export type Sold = number | ((i: number) => number);

/** The rows and files of customers 0, 1, 2, … with E3 seats; see `e3Customers`. */
export interface E3Customers {
  /** Customer `i`'s tenant id, `<prefix>-0000-4000-8000-<i in 12 digits>`, upper-case. */
  customerId(i: number): string;
  /**
   * One day's rows of customers 0 … `customers - 1`: named `<name> <i>`, through a reseller, each
   * with `sold` E3 licenses of which one fewer is deployed.
   */
  rows(day: string, customers: number, sold: Sold, name?: string): DeploymentRow[];
  /** The same rows as a CSV file, header first, one line each. */
  csvFor(day: string, customers: number, sold: Sold, name?: string): string;
  /**
   * A JSON row file of `customers` rows as Partner Center writes them: lower-case tenant ids, a
   * time on the date, channel `direct`, names `JSON <i>`, `i` licenses deployed of `30 + i` sold.
   */
  jsonRows(day: string, customers: number): Record<string, string | number>[];
}

/** Customers numbered under `prefix` (eight hex digits), for one test file. */
export function e3Customers(prefix: string): E3Customers {
  const customerId = (i: number): string => `${prefix}-0000-4000-8000-${String(i).padStart(12, '0')}`;
  const rows = (day: string, customers: number, sold: Sold, name = 'Customer'): DeploymentRow[] =>
    Array.from({ length: customers }, (_, i) => {
      const n = typeof sold === 'number' ? sold : sold(i);
      return {
        processedDate: day,
        serviceCode: 'o365',
        serviceName: 'Microsoft Office 365',
        channel: 'reseller',
        customerTenantId: customerId(i),
        customerName: `${name} ${i}`,
        productId: E3,
        productName: 'OFFICE 365 E3',
        licensesDeployed: n - 1,
        licensesSold: n,
      };
    });
  return {
    customerId,
    rows,
    csvFor: (day, customers, sold, name) => {
      const lines = rows(day, customers, sold, name).map((r) => `${rowValues(r).join(',')}\n`);
      return `${HEADER}\n${lines.join('')}`;
    },
    jsonRows: (day, customers) =>
      Array.from({ length: customers }, (_, i) => ({
        processedDateTime: `${day}T00:00:00`,
        serviceCode: 'o365',
        serviceName: 'Microsoft Office 365',
        channel: 'direct',
        customerTenantId: customerId(i).toLowerCase(),
        customerName: `JSON ${i}`,
        productId: E3,
        productName: 'OFFICE 365 E3',
        licensesDeployed: i,
        licensesSold: 30 + i,
      })),
  };
}
