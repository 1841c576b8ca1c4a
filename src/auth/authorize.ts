/**
 * What a verified principal may do. Microsoft documents no role for the licenses-deployment
 * resources (users report needing the admin, sales or helpdesk agent role), so the allowed set is the
 * operator's choice; by default any delegated user of the partner tenant may read.
 */
import type { Principal } from './principal.ts';

export interface AccessPolicy {
  /** Role names, directory role template ids or group ids; null allows every delegated user. */
  readonly allowedRoles: readonly string[] | null;
}

export type AccessDecision =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: 'app_only' | 'role' };

export function authorize(principal: Principal, policy: AccessPolicy): AccessDecision {
  if (principal.appOnly) return { ok: false, reason: 'app_only' };
  if (policy.allowedRoles === null) return { ok: true };
  // Role names compare case-insensitively, ids (GUIDs) too: Entra is not consistent about case.
  const allowed = new Set(policy.allowedRoles.map((r) => r.toLowerCase()));
  return principal.roles.some((r) => allowed.has(r.toLowerCase()))
    ? { ok: true }
    : { ok: false, reason: 'role' };
}
