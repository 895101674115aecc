import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EntityManager } from '@mikro-orm/postgresql';
import { issueKey } from '../api-keys/api-keys.ts';
import { createTenant } from './tenants.ts';

/** What the demo ATS holds for one mode: the secret key it calls the API with, and its webhook endpoint. */
export interface DemoModeAccess {
  key: string;
  /** Absent until the demo registers its endpoint in this mode. */
  webhookEndpointId?: string;
  /** The endpoint's `whsec_` signing secret, shown once at creation. */
  webhookSecret?: string;
}

export interface DemoTenant {
  tenantId: string;
  test: DemoModeAccess;
  /** Made on the first start with an AI provider configured: the demo then interviews in live mode. */
  live?: DemoModeAccess;
}

/** The file as written before the demo had a live mode: the test key and endpoint at the top level. */
interface DemoTenantFileV1 {
  tenantId: string;
  testKey: string;
  webhookEndpointId?: string;
  webhookSecret?: string;
}

const fileName = 'demo-tenant.json';

/** Where the demo tenant's keys and webhook secrets are kept. */
export const demoTenantFile = (dataDir: string) => join(dataDir, fileName);

/**
 * The live keys issued by this process. The start banner shows a live key in full only on the start that
 * made it: a live key costs money in the wrong hands, and the terminal's scrollback and any log collector
 * reading the platform's output would otherwise get it on every start.
 */
const issuedThisStart = new WeakSet<DemoModeAccess>();

/** Whether the demo's live key was issued on this start: the one start that may show it in full. */
export function liveKeyIssuedThisStart(demo: DemoTenant): boolean {
  return demo.live !== undefined && issuedThisStart.has(demo.live);
}

function readDemoTenant(dataDir: string): DemoTenant | null {
  let stored: DemoTenant | DemoTenantFileV1;
  try {
    stored = JSON.parse(readFileSync(demoTenantFile(dataDir), 'utf8')) as DemoTenant | DemoTenantFileV1;
  } catch {
    return null;
  }
  if ('test' in stored) return stored;
  const { tenantId, testKey, webhookEndpointId, webhookSecret } = stored;
  return {
    tenantId,
    test: {
      key: testKey,
      ...(webhookEndpointId ? { webhookEndpointId } : {}),
      ...(webhookSecret ? { webhookSecret } : {}),
    },
  };
}

/**
 * On the embedded default's first boot, a demo tenant so a newcomer can call the API at once. Its keys are
 * kept in the data directory (on this machine only, never in the database), so every boot can print the test
 * key and the demo ATS can call the API.
 * With `live`, it also holds a live key: live mode is where a configured AI provider interviews by voice.
 */
export async function ensureDemoTenant(
  em: EntityManager,
  dataDir: string,
  options: { live?: boolean } = {},
): Promise<DemoTenant> {
  let demo = readDemoTenant(dataDir);
  if (!demo) {
    // The tenant is the hiring company (its name is the one the interviewer and the widget say), the
    // fictional one whose career page the demo ATS shows.
    const created = await createTenant(em, { name: 'Acme Robotics' });
    demo = { tenantId: created.tenant.id, test: { key: created.keys.test } };
  } else if (!options.live || demo.live) {
    return demo;
  }
  if (options.live && !demo.live) {
    // The tenant's default live key was shown once, at creation, and not kept: the demo gets its own.
    const issued = issueKey(em, { tenantId: demo.tenantId, livemode: true }, { name: 'Demo ATS live key' });
    await em.flush();
    demo.live = { key: issued.secret };
    issuedThisStart.add(demo.live);
  }
  saveDemoTenant(dataDir, demo);
  return demo;
}

/** Rewrites the demo tenant's file, readable by this user only: it holds secret keys and webhook secrets. */
export function saveDemoTenant(dataDir: string, demo: DemoTenant): void {
  writeFileSync(demoTenantFile(dataDir), JSON.stringify(demo, null, 2), { mode: 0o600 });
}
