/** Header names of the Partner Center REST conventions ("Partner Center REST headers"). */
export const HEADERS = Object.freeze({
  requestId: 'ms-requestid',
  correlationId: 'ms-correlationid',
  correlationVector: 'ms-cv',
  serverId: 'ms-serverid',
  locale: 'x-locale',
  contractVersion: 'ms-contract-version',
  authorization: 'authorization',
  retryAfter: 'retry-after',
});

/** The canonical spelling used on responses (header names are case-insensitive on the wire). */
export const RESPONSE_HEADER_NAMES = Object.freeze({
  requestId: 'MS-RequestId',
  correlationId: 'MS-CorrelationId',
  correlationVector: 'MS-CV',
  serverId: 'MS-ServerId',
});

export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';
