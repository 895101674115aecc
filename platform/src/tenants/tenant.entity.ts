import { defineEntity, p } from '@mikro-orm/core';

const TenantSchema = defineEntity({
  name: 'Tenant',
  tableName: 'tenants',
  properties: {
    id: p.string().primary(),
    name: p.text(),
    /** Origins whose pages may embed the widget for this tenant's interviews. */
    allowedOrigins: p.json<string[]>(),
    /** Shown by the widget beside the company name. */
    logoUrl: p.text().nullable(),
    createdAt: p.datetime(),
  },
});

export class Tenant extends TenantSchema.class {}
TenantSchema.setClass(Tenant);

export { TenantSchema };
