import type Router from '@koa/router';
import type { Logger } from 'pino';
import { type DemoTenant, saveDemoTenant } from '../tenants/demo-tenant.ts';
import { DemoApi } from './demo-api.ts';
import { demoRouter } from './demo-routes.ts';
import { DemoWebhooks } from './demo-webhooks.ts';

export interface DemoAtsOptions {
  tenant: DemoTenant;
  dataDir: string;
  /** Where the demo calls the platform's REST API, as an ATS backend would: the platform's own address. */
  platformUrl: string;
  logger: Logger;
  /**
   * Whether the demo works in live mode (an AI provider is configured: the interviewer is the model, and
   * answers may be spoken) rather than test mode (the offline interviewer, typed answers). Needs `tenant.live`.
   */
  livemode: boolean;
  /** Where the platform serves `/sdk/` files from, to tell whether the widget is built. */
  sdkDir: string;
  /**
   * What the career page's widget connects to besides the platform: the LiveKit server, when there is one.
   * A real ATS puts the same origins in its page's Content-Security-Policy.
   */
  widgetConnectOrigins?: readonly string[];
}

const keptInvitations = 200;

/**
 * The demo ATS at `/demo`: a small applicant tracking system that uses Viva only through its public REST API
 * and webhooks, served by the platform itself on the embedded default so a newcomer can see the whole flow.
 */
export class DemoAts {
  readonly api: DemoApi;
  readonly webhooks: DemoWebhooks;
  readonly sdkDir: string;
  readonly livemode: boolean;
  readonly widgetConnectOrigins: readonly string[];
  readonly #platformUrl: string;
  /** The join link of each recent invitation, as the ATS would have e-mailed it. */
  readonly #invitations = new Map<string, string>();

  constructor(options: DemoAtsOptions) {
    const { tenant, dataDir } = options;
    const access = options.livemode ? tenant.live : tenant.test;
    if (!access)
      throw new Error('The demo tenant has no live key: ensureDemoTenant(…, { live: true }) makes one.');
    this.livemode = options.livemode;
    this.api = new DemoApi(options.platformUrl, access.key);
    this.webhooks = new DemoWebhooks(access, () => saveDemoTenant(dataDir, tenant), options.logger);
    this.sdkDir = options.sdkDir;
    this.widgetConnectOrigins = options.widgetConnectOrigins ?? [];
    this.#platformUrl = options.platformUrl;
  }

  /** Registers (or checks) the demo's webhook endpoint; call once the platform serves requests. */
  connectWebhooks(): Promise<void> {
    return this.webhooks.connect(this.api, `${this.#platformUrl}/demo/webhooks`);
  }

  rememberInvitation(interviewId: string, joinUrl: string): void {
    this.#invitations.set(interviewId, joinUrl);
    if (this.#invitations.size > keptInvitations) {
      this.#invitations.delete(this.#invitations.keys().next().value!);
    }
  }

  invitationLink(interviewId: string): string | null {
    return this.#invitations.get(interviewId) ?? null;
  }

  /** The demo's pages and receiver: no part of the API contract. */
  routers(): Router[] {
    return [demoRouter(this)];
  }
}
