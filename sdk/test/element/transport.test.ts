import { expect } from '@open-wc/testing';
import { executeServerCommand } from '@web/test-runner-commands';
import type AiInterview from '../../src/element/ai-interview.component.ts';
import type { ProxyLogEntry } from '../support/protocol.ts';
import {
  interviewFixture,
  lastState,
  maybePart,
  newSession,
  part,
  type SessionFixture,
  until,
  untilScreen,
} from './helpers.ts';

/**
 * The `transport` attribute, against the second test platform, configured with LiveKit (its LiveKit server
 * is a fake that refuses every join; see test/support/fake-livekit.ts): `auto` tries the room and goes on
 * over HTTP, `http` never asks for one. `interview-state` tells which carries the interview.
 */

async function roomRequests(session: SessionFixture): Promise<ProxyLogEntry[]> {
  const log = await executeServerCommand<ProxyLogEntry[], unknown>('viva-proxy', {
    proxyId: session.proxyId,
    action: 'log',
  });
  // The browser's CORS preflight (OPTIONS, 204) for the POST is not a request for a room.
  return log.filter((entry) => entry.method === 'POST' && entry.path === '/v1/session/livekit');
}

async function startByVoice(element: AiInterview, transports: unknown[]): Promise<void> {
  element.addEventListener('interview-state', (event) => {
    if (transports.at(-1) !== event.detail.transport) transports.push(event.detail.transport);
  });
  await untilScreen(element, 'pre-check');
  expect(lastState(element)?.session?.transports, 'the transports offered').to.include('livekit');
  await until(() => maybePart(element, 'level-meter') !== null, 'the level meter', element);
  part<HTMLInputElement>(element, 'consent-checkbox').click();
  part(element, 'start-button').click();
  await untilScreen(element, 'live', 30_000);
}

describe('<ai-interview> transport', () => {
  it('auto: tries the LiveKit room the session offers, and goes on over HTTP when it cannot connect', async function () {
    this.timeout(60_000);
    const session = await newSession({ live: true, livekit: 'refuse', proxy: true });
    const element = await interviewFixture(session, { locale: 'en' });
    const transports: unknown[] = [];
    await startByVoice(element, transports);
    expect(element.transport).to.equal('auto');
    expect(transports).to.deep.equal([null, 'http']);
    expect((await roomRequests(session)).map((entry) => entry.status)).to.deep.equal([200]);
    expect(lastState(element)).to.include({ status: 'live', listening: true });
  });

  it('http: never asks for a room', async function () {
    this.timeout(60_000);
    const session = await newSession({ live: true, livekit: 'refuse', proxy: true });
    const element = await interviewFixture(session, { locale: 'en', transport: 'http' });
    const transports: unknown[] = [];
    await startByVoice(element, transports);
    expect(transports).to.deep.equal([null, 'http']);
    expect(await roomRequests(session)).to.deep.equal([]);
  });

  it('warns about a value it does not know, and runs on auto', async () => {
    const warnings: unknown[][] = [];
    const warn = console.warn;
    console.warn = (...args: unknown[]) => warnings.push(args);
    try {
      const element = document.createElement('ai-interview');
      element.setAttribute('transport', 'webrtc');
      document.body.append(element);
      await element.updateComplete;
      expect(warnings.map((args) => String(args[0]))).to.deep.equal([
        '<ai-interview> transport="webrtc" is not "auto" or "http"; it uses "auto".',
      ]);
      element.transport = 'http';
      await element.updateComplete;
      expect(warnings).to.have.length(1);
      element.remove();
    } finally {
      console.warn = warn;
    }
  });

  it('removed, or set to null or undefined, means auto, without a warning', async () => {
    const warnings: unknown[][] = [];
    const warn = console.warn;
    console.warn = (...args: unknown[]) => warnings.push(args);
    try {
      const element = document.createElement('ai-interview');
      element.setAttribute('transport', 'http');
      document.body.append(element);
      await element.updateComplete;
      element.removeAttribute('transport');
      await element.updateComplete;
      for (const none of [null, undefined]) {
        element.transport = none as unknown as 'auto';
        await element.updateComplete;
      }
      element.remove();
    } finally {
      console.warn = warn;
    }
    expect(warnings.map((args) => String(args[0]))).to.deep.equal([]);
  });
});
