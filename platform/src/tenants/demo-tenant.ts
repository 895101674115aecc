import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EntityManager } from '@mikro-orm/postgresql';
import { createTenant } from './tenants.ts';

export interface DemoTenant {
  tenantId: string;
  testKey: string;
  /**
   * The demo ATS's webhook endpoint and its `whsec_` signing secret. Absent until the demo registers it, and
   * in files written before the demo ATS existed: the demo registers one then.
   */
  webhookEndpointId?: string;
  webhookSecret?: string;
}

const fileName = 'demo-tenant.json';

/**
 * On the embedded default's first boot, a demo tenant so a newcomer can call the API at once. Its test key
 * is kept in the data directory (on this machine only, never in the database) so every boot can print it.
 */
export async function ensureDemoTenant(em: EntityManager, dataDir: string): Promise<DemoTenant> {
  const file = join(dataDir, fileName);
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as DemoTenant;
  } catch {
    const created = await createTenant(em, { name: 'Demo ATS' });
    const demo = { tenantId: created.tenant.id, testKey: created.keys.test };
    saveDemoTenant(dataDir, demo);
    return demo;
  }
}

/** Rewrites the demo tenant's file, readable by this user only: it holds a secret key and a webhook secret. */
export function saveDemoTenant(dataDir: string, demo: DemoTenant): void {
  writeFileSync(join(dataDir, fileName), JSON.stringify(demo, null, 2), { mode: 0o600 });
}
