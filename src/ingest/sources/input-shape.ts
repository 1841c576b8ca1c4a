/**
 * What a JSON input looks like, so that a file or folder handed to the wrong reader (or alone,
 * when its reader needs more) is named for what it is, with what to pass instead.
 */
import { asObject } from './snapshot-builder.ts';

export type JsonShape =
  /** Graph `GET /subscribedSkus`: `{"value": [...]}`, possibly wrapped with the tenant. */
  | 'graph-collection'
  /** Graph `GET /subscribedSkus/{id}`: one subscribedSku object. */
  | 'graph-sku'
  /** Partner Center `GET /v1/customers/{id}/subscribedskus`: `{"items": [{"productSku": ...}]}`. */
  | 'pc-subscribed-skus'
  /** Partner Center `GET /v1/customers`: `{"items": [{"companyProfile": ...}]}`, or its pages. */
  | 'pc-customers'
  | 'other';

const PASS_PC_DIR = 'pass the directory that holds customers.json and subscribedskus/ instead';

/** What to tell the user about an input of a shape no reader takes as given; '' for the others. */
export function shapeAdvice(shape: JsonShape): string {
  switch (shape) {
    case 'pc-subscribed-skus':
      return `looks like one customer's Partner Center subscribedskus response; ${PASS_PC_DIR}`;
    case 'pc-customers':
      return (
        `looks like a Partner Center customers response (customers.json); ${PASS_PC_DIR}, ` +
        'or name it with --customers when importing Graph subscribedSkus files'
      );
    case 'graph-sku':
      return (
        'looks like a single Graph subscribedSku (the response of GET /subscribedSkus/{id}); pass ' +
        'the response of GET /subscribedSkus instead, an object whose "value" array lists every SKU ' +
        'of the tenant'
      );
    default:
      return '';
  }
}

/** What to tell the user about the `subscribedskus/` folder of a Partner Center directory. */
export function subscribedSkusFolderAdvice(parent: string | undefined): string {
  const instead = parent === undefined ? PASS_PC_DIR : `pass its parent directory ${parent} instead`;
  return `looks like the subscribedskus/ folder of a Partner Center directory; ${instead}`;
}

/** The shape of a parsed JSON value. */
export function jsonShape(value: unknown): JsonShape {
  if (Array.isArray(value)) {
    // An array of customers pages, or a bare array of subscribed SKU items.
    const first = asObject(value[0]);
    if (first === undefined) return 'other';
    if (asObject(first.productSku) !== undefined) return 'pc-subscribed-skus';
    return Array.isArray(first.items) ? itemsShape(first.items) : 'other';
  }
  const body = asObject(value);
  if (body === undefined) return 'other';
  const keys = Object.keys(body);
  if (keys.some((k) => k.toLowerCase() === 'value' && Array.isArray(body[k]))) return 'graph-collection';
  if (Array.isArray(body.items)) return itemsShape(body.items);
  if (body.skuId !== undefined && (body.prepaidUnits !== undefined || body.skuPartNumber !== undefined))
    return 'graph-sku';
  return 'other';
}

function itemsShape(items: readonly unknown[]): JsonShape {
  const first = asObject(items[0]);
  if (first === undefined) return 'other';
  if (asObject(first.productSku) !== undefined) return 'pc-subscribed-skus';
  if (asObject(first.companyProfile) !== undefined) return 'pc-customers';
  return 'other';
}

/**
 * The shape of JSON text seen only in part (the head of a large file), by the property names only
 * one kind of response has: Partner Center's `productSku` and `companyProfile`, Graph's `skuId`
 * and `prepaidUnits` (a collection when a `value` array opens before them).
 */
export function sniffJsonShape(head: string): JsonShape {
  if (/"productSku"\s*:/.test(head)) return 'pc-subscribed-skus';
  if (/"companyProfile"\s*:/.test(head)) return 'pc-customers';
  const graph = /"(skuId|prepaidUnits)"\s*:/.exec(head);
  if (graph === null) return 'other';
  const value = /"value"\s*:\s*\[/i.exec(head);
  return value !== null && value.index < graph.index ? 'graph-collection' : 'graph-sku';
}
