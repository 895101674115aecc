/**
 * A key's scopes: `*` (everything), `*:read` (read everything) or `<resource>:<read|write>`.
 * Writing a resource implies reading it. Wildcards keep a standard key whole as resources are added.
 */
export const resources = ['jobs', 'candidates', 'interviews', 'api_keys', 'webhook_endpoints'] as const;
/** Written only by the platform itself: there is nothing to grant `write` on. */
export const readOnlyResources = ['events'] as const;
export type Resource = (typeof resources)[number];
export type Access = 'read' | 'write';
export type Scope = '*' | '*:read' | `${Resource}:${Access}` | `${(typeof readOnlyResources)[number]}:read`;

export const allScopes: readonly Scope[] = [
  '*',
  '*:read',
  ...resources.flatMap((r) => [`${r}:read`, `${r}:write`] as const),
  ...readOnlyResources.map((r) => `${r}:read` as const),
];

export function grants(held: readonly string[], needed: Scope): boolean {
  if (held.includes('*') || held.includes(needed)) return true;
  const [resource, access] = needed.split(':');
  if (access === 'read') return held.includes('*:read') || held.includes(`${resource}:write`);
  return false;
}

/** Whether a key holding `held` may hand out a key holding `requested`: never more than it has. */
export function covers(held: readonly string[], requested: readonly string[]): boolean {
  return requested.every((scope) => {
    if (scope === '*') return held.includes('*');
    if (scope === '*:read') return held.includes('*') || held.includes('*:read');
    return grants(held, scope as Scope);
  });
}
