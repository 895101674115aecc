import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@viva/platform/src/config/config.ts';
import { type RunningPlatform, startPlatform } from '@viva/platform/src/platform.ts';

/**
 * Starts a real platform (the embedded default: PGlite, in-process events, local blobs) for a test run and
 * gives the browser what an ATS's server would: session tokens. Tests ask for them through commands
 * (`executeServerCommand('viva-session', …)` from @web/test-runner-commands), so no secret key ever
 * reaches the page, as in production.
 */
export interface PlatformPluginOptions {
  /** Where the test pages are served: the tenant allows it as a session origin. */
  pageOrigin: string;
}

const adminKey = 'sdk-test-admin-key-0123456789abcdef';

interface SessionRequest {
  /** Jobs as POST /v1/jobs takes them; a two-question job by default. */
  job?: Record<string, unknown>;
  /** A live-mode interview (live key) instead of a test-mode one. */
  live?: boolean;
}

export interface SessionFixture {
  apiBase: string;
  token: string;
  interviewId: string;
}

const defaultJob = {
  title: 'Frontend Engineer',
  description: 'Design systems team.',
  questions: [{ text: 'Tell me about a component you are proud of.' }, { text: 'How do you test accessibility?' }],
  rubric: { dimensions: [{ key: 'craft', name: 'Craft', weight: 1 }] },
};

export function vivaPlatformPlugin(options: PlatformPluginOptions) {
  let platform: RunningPlatform | null = null;
  let dataDir = '';
  let keys: { test: string; live: string } | null = null;

  async function call<T>(method: string, path: string, key: string, body?: unknown): Promise<T> {
    const response = await fetch(`${platform!.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
    return JSON.parse(text) as T;
  }

  return {
    name: 'viva-platform',
    async serverStart() {
      dataDir = await mkdtemp(join(tmpdir(), 'viva-sdk-test-'));
      platform = await startPlatform(
        loadConfig({
          PORT: '0',
          VIVA_DATA_DIR: dataDir,
          VIVA_ADMIN_KEY: adminKey,
          LOG_LEVEL: process.env.VIVA_TEST_LOG_LEVEL ?? 'silent',
          VIVA_RATE_LIMIT_PER_KEY: '100000',
          VIVA_RATE_LIMIT_PER_TENANT: '100000',
        }),
      );
      const created = await call<{ api_keys: { test: string; live: string } }>('POST', '/admin/v1/tenants', adminKey, {
        name: 'SDK tests',
        allowed_origins: [options.pageOrigin],
      });
      keys = created.api_keys;
    },
    async serverStop() {
      await platform?.close();
      await rm(dataDir, { recursive: true, force: true });
    },
    async executeCommand({ command, payload }: { command: string; payload?: unknown }) {
      if (!platform || !keys) return undefined;
      const key = (payload as SessionRequest | undefined)?.live ? keys.live : keys.test;
      if (command === 'viva-session') {
        const request = (payload ?? {}) as SessionRequest;
        const job = await call<{ id: string }>('POST', '/v1/jobs', key, request.job ?? defaultJob);
        const candidate = await call<{ id: string }>('POST', '/v1/candidates', key, { name: 'Grace Hopper' });
        const interview = await call<{ id: string }>('POST', '/v1/interviews', key, {
          job_id: job.id,
          candidate_id: candidate.id,
        });
        const session = await call<{ token: string }>('POST', `/v1/interviews/${interview.id}/sessions`, key, {});
        return { apiBase: platform.url, token: session.token, interviewId: interview.id } satisfies SessionFixture;
      }
      if (command === 'viva-transcript') {
        const { interviewId } = payload as { interviewId: string };
        return call('GET', `/v1/interviews/${interviewId}/transcript`, key);
      }
      if (command === 'viva-interview') {
        const { interviewId } = payload as { interviewId: string };
        return call('GET', `/v1/interviews/${interviewId}`, key);
      }
      if (command === 'viva-recording') {
        const { interviewId } = payload as { interviewId: string };
        return call('GET', `/v1/interviews/${interviewId}/recording`, key);
      }
      return undefined;
    },
  };
}
