import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@viva/platform/src/config/config.ts';
import { type RunningPlatform, startPlatform } from '@viva/platform/src/platform.ts';
import { mintSessionToken } from '@viva/platform/src/sessions/session-token.ts';
import { type FakeLiveKit, startFakeLiveKit } from './fake-livekit.ts';
import { type NetworkProxy, type ProxyAction, startNetworkProxy } from './network-proxy.ts';
import type { FakeLiveKitMode, SessionFixture } from './protocol.ts';
import { fakeTranscript } from './protocol.ts';

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

/** The part of the platform's fake OpenAI server (platform/test/support/fake-openai.ts) these tests use. */
interface FakeOpenAi {
  baseUrl: string;
  setLatency(ms: number): void;
  stop(): Promise<void>;
}

/**
 * The platform's own fake OpenAI server (speech-to-text and text-to-speech over real HTTP), loaded at run
 * time: it is Node code, type-checked by the platform's tsconfig, and the SDK's DOM typings disagree with it.
 */
async function startFakeOpenAi(options: { transcript: () => string }): Promise<FakeOpenAi> {
  const modulePath = '@viva/platform/test/support/fake-openai.ts';
  const fake = (await import(modulePath)) as {
    startFakeOpenAi(o: { transcript: () => string }): Promise<FakeOpenAi>;
  };
  return fake.startFakeOpenAi(options);
}

interface SessionRequest {
  /** Jobs as POST /v1/jobs takes them; a two-question job by default. */
  job?: Record<string, unknown>;
  /**
   * A live-mode interview (live key) instead of a test-mode one. Live interviews still use the offline
   * interviewer (no LLM is configured), but hear and speak through the fake OpenAI server: answers by audio
   * (speech-to-text) and `interviewer.audio` events (text-to-speech, silent MP3).
   */
  live?: boolean;
  /** Put a `NetworkProxy` between the browser and the platform: `apiBase` is then the proxy's. */
  proxy?: boolean;
  /** The token's allowed origins, instead of the tenant's (which allow the test page). */
  allowedOrigins?: string[];
  /**
   * An interview on a second platform, configured with LiveKit (so sessions offer it) whose server is the
   * fake one in this mode: the widget gets a room token, and the room can never be joined.
   */
  livekit?: FakeLiveKitMode;
}

/** One running platform, with the tenant the tests use on it. */
interface Instance {
  platform: RunningPlatform;
  dataDir: string;
  keys: { test: string; live: string };
  tenantId: string;
}

const defaultJob = {
  title: 'Frontend Engineer',
  description: 'Design systems team.',
  questions: [
    { text: 'Tell me about a component you are proud of.' },
    { text: 'How do you test accessibility?' },
  ],
  rubric: { dimensions: [{ key: 'craft', name: 'Craft', weight: 1 }] },
};

export function vivaPlatformPlugin(options: PlatformPluginOptions) {
  let main: Instance | null = null;
  let liveKit: { instance: Instance; server: FakeLiveKit } | null = null;
  let openAi: FakeOpenAi | null = null;
  const proxies = new Map<string, NetworkProxy>();
  // Which key reads an interview back: a live interview is invisible to the test key, and the reverse.
  const liveInterviews = new Set<string>();
  // Which platform holds an interview: most are on the main one; LiveKit sessions on the second.
  const onLiveKit = new Set<string>();

  async function callOn<T>(instance: Instance, method: string, path: string, key: string, body?: unknown) {
    const response = await fetch(`${instance.platform.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
    return JSON.parse(text) as T;
  }

  async function startInstance(env: Record<string, string> = {}): Promise<Instance> {
    const dataDir = await mkdtemp(join(tmpdir(), 'viva-sdk-test-'));
    const platform = await startPlatform(
      loadConfig({
        PORT: '0',
        VIVA_DATA_DIR: dataDir,
        VIVA_ADMIN_KEY: adminKey,
        LOG_LEVEL: process.env.VIVA_TEST_LOG_LEVEL ?? 'silent',
        VIVA_RATE_LIMIT_PER_KEY: '100000',
        VIVA_RATE_LIMIT_PER_TENANT: '100000',
        STT_BASE_URL: openAi!.baseUrl,
        STT_MODEL: 'whisper-1',
        TTS_BASE_URL: openAi!.baseUrl,
        TTS_MODEL: 'tts-1',
        TTS_FORMAT: 'mp3',
        ...env,
      }),
    );
    const instance: Instance = { platform, dataDir, keys: { test: '', live: '' }, tenantId: '' };
    const created = await callOn<{ tenant: { id: string }; api_keys: { test: string; live: string } }>(
      instance,
      'POST',
      '/admin/v1/tenants',
      adminKey,
      { name: 'SDK tests', allowed_origins: [options.pageOrigin] },
    );
    instance.keys = created.api_keys;
    instance.tenantId = created.tenant.id;
    return instance;
  }

  async function stopInstance(instance: Instance | null | undefined): Promise<void> {
    if (!instance) return;
    await instance.platform.close();
    await rm(instance.dataDir, { recursive: true, force: true });
  }

  /** The second platform, started the first time a test asks for LiveKit, with the fake server in `mode`. */
  async function liveKitPlatform(mode: FakeLiveKitMode): Promise<Instance> {
    if (!liveKit) {
      const server = await startFakeLiveKit();
      const instance = await startInstance({
        LIVEKIT_URL: server.url,
        LIVEKIT_API_KEY: 'sdk-test-livekit-key',
        LIVEKIT_API_SECRET: 'sdk-test-livekit-secret-0123456789abcdef',
      });
      liveKit = { instance, server };
    }
    liveKit.server.setMode(mode);
    return liveKit.instance;
  }

  return {
    name: 'viva-platform',
    async serverStart() {
      openAi = await startFakeOpenAi({ transcript: () => fakeTranscript });
      main = await startInstance();
    },
    async serverStop() {
      await Promise.all([...proxies.values()].map((proxy) => proxy.close()));
      await stopInstance(liveKit?.instance);
      await liveKit?.server.close();
      await stopInstance(main);
      await openAi?.stop();
    },
    async executeCommand({ command, payload }: { command: string; payload?: unknown }) {
      if (!main || !openAi) return undefined;
      const interviewOf = (payload as { interviewId?: string } | undefined)?.interviewId ?? '';
      const request = (payload ?? {}) as SessionRequest;
      const instance =
        command === 'viva-session' && request.livekit
          ? await liveKitPlatform(request.livekit)
          : onLiveKit.has(interviewOf)
            ? liveKit!.instance
            : main;
      const { platform, keys, tenantId } = instance;
      const live = request.live || liveInterviews.has(interviewOf);
      const key = live ? keys.live : keys.test;
      const call = <T>(method: string, path: string, key: string, body?: unknown) =>
        callOn<T>(instance, method, path, key, body);
      if (command === 'viva-session') {
        const job = await call<{ id: string }>('POST', '/v1/jobs', key, request.job ?? defaultJob);
        const candidate = await call<{ id: string }>('POST', '/v1/candidates', key, { name: 'Grace Hopper' });
        const interview = await call<{ id: string }>('POST', '/v1/interviews', key, {
          job_id: job.id,
          candidate_id: candidate.id,
        });
        const session = await call<{ token: string }>(
          'POST',
          `/v1/interviews/${interview.id}/sessions`,
          key,
          request.allowedOrigins ? { allowed_origins: request.allowedOrigins } : {},
        );
        if (live) liveInterviews.add(interview.id);
        if (request.livekit) onLiveKit.add(interview.id);
        if (request.proxy) {
          const proxy = await startNetworkProxy(platform.url);
          const proxyId = `proxy_${proxies.size + 1}`;
          proxies.set(proxyId, proxy);
          return {
            apiBase: proxy.url,
            token: session.token,
            interviewId: interview.id,
            proxyId,
            platformBase: platform.url,
            ...(request.livekit ? { liveKitUrl: liveKit!.server.url } : {}),
          } satisfies SessionFixture;
        }
        return {
          apiBase: platform.url,
          token: session.token,
          interviewId: interview.id,
          ...(request.livekit ? { liveKitUrl: liveKit!.server.url } : {}),
        } satisfies SessionFixture;
      }
      if (command === 'viva-expired-token') {
        // A genuine token for the interview, signed by the platform's key, that has run out: no API mints
        // one (the shortest TTL is a minute), so it is signed here with a one-second life, then waited out.
        const { interviewId } = payload as { interviewId: string };
        const { token, expiresAt } = await mintSessionToken(
          platform.services.signingKeys,
          {
            interviewId,
            tenantId,
            livemode: live,
            allowedOrigins: [options.pageOrigin],
            ttlSeconds: 1,
            startBy: new Date(Date.now() + 1000),
          },
          platform.services.issuer,
        );
        await new Promise((resolve) => setTimeout(resolve, expiresAt.getTime() - Date.now() + 1100));
        return { token };
      }
      if (command === 'viva-proxy') {
        const { proxyId, ...action } = payload as { proxyId: string } & ProxyAction;
        const proxy = proxies.get(proxyId);
        if (!proxy) throw new Error(`no proxy ${proxyId}`);
        return proxy.act(action) ?? {};
      }
      if (command === 'viva-livekit-attempts') {
        // What the browser asked of the fake LiveKit server so far.
        return liveKit?.server.attempts ?? [];
      }
      if (command === 'viva-fake-openai') {
        // Slows every speech-to-text and text-to-speech call, so an interviewer's spoken turn lasts a while.
        const { latencyMs } = payload as { latencyMs: number };
        openAi.setLatency(latencyMs);
        return {};
      }
      if (command === 'viva-recording-audio') {
        // A recording segment's bytes, fetched here with its signed URL, for the page to decode and measure.
        const { interviewId, turnId } = payload as { interviewId: string; turnId: string };
        const recording = await call<{ segments: { turn_id: string; url: string; content_type: string }[] }>(
          'GET',
          `/v1/interviews/${interviewId}/recording`,
          key,
        );
        const segment = recording.segments.find((s) => s.turn_id === turnId);
        if (!segment) return null;
        const response = await fetch(segment.url);
        if (!response.ok) throw new Error(`GET ${segment.url}: ${response.status}`);
        const bytes = Buffer.from(await response.arrayBuffer());
        return { contentType: segment.content_type, base64: bytes.toString('base64') };
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

export type { SessionFixture } from './protocol.ts';
