/** Whose objects a request may touch: one tenant, in one mode. Every query is fenced by both. */
export interface Owner {
  tenantId: string;
  livemode: boolean;
}
