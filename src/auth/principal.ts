/** Who is calling, as established from a verified token. */
export interface Principal {
  /** Upper-case GUID: the token's `tid`, the partner tenant every query is scoped to. */
  readonly partnerId: string;
  /** The user's object id or UPN; undefined for application-only tokens. */
  readonly user: string | undefined;
  /** True when the token carries no user (Entra: `idtyp` = `app`, or no `scp` claim). */
  readonly appOnly: boolean;
  /** Role names and ids taken from `roles`, `wids` and `groups`. */
  readonly roles: readonly string[];
}

/** Why a token was refused; `description` is safe to send back (it never contains the token). */
export type AuthFailure =
  | { readonly reason: 'missing'; readonly description: string }
  | { readonly reason: 'invalid_token'; readonly description: string };

export type AuthResult =
  | { readonly ok: true; readonly principal: Principal }
  | { readonly ok: false; readonly failure: AuthFailure };

/** Default audience: the Partner Center API ("Partner Center authentication"). */
export const PARTNER_CENTER_AUDIENCE = 'https://api.partnercenter.microsoft.com';
