import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentGrant, agentIdentity, mintLiveKitToken } from '../../src/livekit/livekit-token.ts';
import type { RoomHandlers } from '../../src/livekit/room.ts';
import {
  audioOutputOf,
  disconnectOf,
  forwardCandidateFrames,
  loadRtc,
  rtcNodeConnector,
  voiceSource,
} from '../../src/livekit/rtc-node-room.ts';
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
      disconnected: (disconnect) => told.push(`disconnected ${disconnect.kind}`),
    };
    await expect(
      rtcNodeConnector(pino({ level: 'silent' })).connect(refusingUrl, token, 'candidate-int_test', handlers),
    ).rejects.toThrow();
    expect(told).toEqual([]);
  });

  it('goes on hearing the candidate when the agent fails on a frame, and says so once', async () => {
    const frames = [1, 2, 3, 4].map((n) => new lk.AudioFrame(new Int16Array(480).fill(n), 48_000, 1, 480));
    const stream = new ReadableStream<(typeof frames)[number]>({
      start(controller) {
        for (const frame of frames) controller.enqueue(frame);
        controller.close();
      },
    });
    const heard: number[] = [];
    const handlers: RoomHandlers = {
      candidatePresence: () => undefined,
      candidateFrame: (frame) => {
        if (frame.data[0]! < 3) throw new Error(`frame ${frame.data[0]} is bad`);
        heard.push(frame.data[0]!);
      },
      disconnected: () => undefined,
    };
    const lines: { level: number; msg: string; failures?: number; err?: { message: string } }[] = [];
    const log = pino({}, { write: (line: string) => lines.push(JSON.parse(line)) });
    await forwardCandidateFrames(stream.getReader(), handlers, log);
    // Not deaf after the first bad frame: the ones after it still reach the agent.
    expect(heard).toEqual([3, 4]);
    expect(lines.map((l) => [l.level, l.msg, l.err?.message ?? l.failures])).toEqual([
      [50, "the agent could not take a frame of the candidate's audio", 'frame 1 is bad'],
      [50, "frames of the candidate's audio the agent could not take", 2],
    ]);
  });

  it("tells the agent what LiveKit's reason for a disconnect means for it", () => {
    const { DisconnectReason } = lk;
    const kinds = Object.fromEntries(
      [
        DisconnectReason.ROOM_CLOSED,
        DisconnectReason.ROOM_DELETED,
        DisconnectReason.PARTICIPANT_REMOVED,
        DisconnectReason.DUPLICATE_IDENTITY,
        DisconnectReason.SIGNAL_CLOSE,
        DisconnectReason.SERVER_SHUTDOWN,
        DisconnectReason.MIGRATION,
        DisconnectReason.UNKNOWN_REASON,
      ].map((reason) => [DisconnectReason[reason], disconnectOf(lk, reason).kind]),
    );
    expect(kinds).toEqual({
      // The room is gone: joining it again would make it anew, empty.
      ROOM_CLOSED: 'room_closed',
      ROOM_DELETED: 'room_closed',
      PARTICIPANT_REMOVED: 'removed',
      // Another agent took the identity: the claim decides which stays, so this one rejoins as after a loss.
      DUPLICATE_IDENTITY: 'connection_lost',
      SIGNAL_CLOSE: 'connection_lost',
      SERVER_SHUTDOWN: 'connection_lost',
      MIGRATION: 'connection_lost',
      UNKNOWN_REASON: 'connection_lost',
    });
    expect(disconnectOf(lk, DisconnectReason.ROOM_CLOSED).detail).toBe(
      'disconnected by the room (ROOM_CLOSED)',
    );
  });
});
