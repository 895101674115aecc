import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentGrant, agentIdentity, mintLiveKitToken } from '../../src/livekit/livekit-token.ts';
import type { RoomHandlers } from '../../src/livekit/room.ts';
import { audioOutputOf, loadRtc, rtcNodeConnector, voiceSource } from '../../src/livekit/rtc-node-room.ts';
import { SpeechPlayer } from '../../src/livekit/speech-player.ts';
import { pcmTone } from '../support/fake-openai.ts';

/**
 * The rtc-node adapter as far as it goes without a LiveKit server (none can run here): the real native
 * module loads, the agent's voice plays into a real AudioSource at real-time pace and stops at once, and a
 * room that cannot be joined is a rejected connection. Joining, publishing and subscribing need a server:
 * see docs/livekit.md.
 */

let refusing: Server;
let refusingUrl: string;
type Rtc = Awaited<ReturnType<typeof loadRtc>>;
let lk: Rtc;

beforeAll(async () => {
  lk = await loadRtc();
  // What a LiveKit server answers a token it does not accept.
  refusing = createServer((_req, res) => res.writeHead(401).end('invalid token'));
  refusing.listen(0, '127.0.0.1');
  await once(refusing, 'listening');
  refusingUrl = `ws://127.0.0.1:${(refusing.address() as AddressInfo).port}`;
});
afterAll(async () => {
  refusing?.close();
  await lk?.dispose();
});

async function* chunks(pcm: Buffer, size: number): AsyncIterable<Uint8Array> {
  for (let at = 0; at < pcm.length; at += size) yield pcm.subarray(at, at + size);
}

describe('the rtc-node adapter, up to the server', () => {
  it("plays the agent's voice into an AudioSource in real time, and reports what was heard", async () => {
    const source = voiceSource(lk);
    const player = new SpeechPlayer(audioOutputOf(lk, source));
    const started = performance.now();
    const outcome = await player.play('turn_1', () => chunks(pcmTone(600), 4801));
    const took = performance.now() - started;
    expect(outcome).toBe('played');
    // The source paces 600 ms of speech out as 600 ms (its first second is queued at once).
    expect(took).toBeGreaterThan(500);
    expect(took).toBeLessThan(2000);
    await source.close();
  });

  it('stops at once on barge-in, dropping what was queued', async () => {
    const source = voiceSource(lk);
    const output = audioOutputOf(lk, source);
    const player = new SpeechPlayer(output);
    const playing = player.play('turn_2', () => chunks(pcmTone(3000), 9600));
    await sleep(1300);
    const heard = player.stop();
    expect(await playing).toBe('stopped');
    expect(heard).toBeGreaterThan(1000);
    expect(heard).toBeLessThan(1800);
    expect(output.queuedMs()).toBe(0);
    await source.close();
  });

  it('rejects a room the server will not let it join', async () => {
    const { token } = await mintLiveKitToken({
      apiKey: 'APIwQm4s7UhX3pT',
      apiSecret: 'tkUQy0XKpFJ8sWbLzR2c6vNnEa9dHoMg',
      identity: agentIdentity,
      name: 'Viva',
      kind: 'agent',
      grant: agentGrant('viva-int_test'),
      ttlSeconds: 60,
    });
    const told: string[] = [];
    const handlers: RoomHandlers = {
      candidatePresence: (present) => told.push(`presence ${present}`),
      candidateFrame: () => told.push('frame'),
      disconnected: (reason) => told.push(`disconnected ${reason}`),
    };
    await expect(
      rtcNodeConnector().connect(refusingUrl, token, 'candidate-int_test', handlers),
    ).rejects.toThrow();
    expect(told).toEqual([]);
  });
});
