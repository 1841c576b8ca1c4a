/** An error answer from Partner Center (or Seatwise), or a call that could not be completed. */
export class PartnerCenterError extends Error {
  override readonly name = 'PartnerCenterError';
  /** HTTP status; 0 when no response arrived (network failure, timeout). */
  readonly status: number;
  /** The ApiFault `code`, when the body had one. */
  readonly code: number | undefined;
  readonly description: string;
  readonly requestId: string;
  readonly correlationId: string;
  /** Seconds from `Retry-After`, when the response had one. */
  readonly retryAfter: number | undefined;
  /** The URL the call asked for (after its retries), or '' when the error is not tied to one. */
  readonly url: string;

  constructor(init: {
    status: number;
    code?: number | undefined;
    description: string;
    requestId: string;
    correlationId: string;
    retryAfter?: number | undefined;
    url?: string;
    cause?: unknown;
  }) {
    super(
      `${init.status === 0 ? 'request failed' : `HTTP ${init.status}`}${init.code === undefined ? '' : ` (code ${init.code})`}: ${init.description}`,
      init.cause === undefined ? undefined : { cause: init.cause },
    );
    this.status = init.status;
    this.code = init.code;
    this.description = init.description;
    this.requestId = init.requestId;
    this.correlationId = init.correlationId;
    this.retryAfter = init.retryAfter;
    this.url = init.url ?? '';
  }
}
