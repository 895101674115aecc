import type * as Rtc from '@livekit/rtc-node';
import type { Logger } from 'pino';
import type { PcmFrame } from './pcm.ts';
import {
  type AgentRoom,
  type AudioOutput,
  agentTopic,
  type RoomConnector,
  type RoomDisconnect,
  type RoomHandlers,
} from './room.ts';

/**
 * The agent's room on `@livekit/rtc-node` (LiveKit's WebRTC stack, native, through its FFI bindings), and
 * nothing more than the translation: every decision is on the other side of `RoomConnector`. The module is
 * imported on the first connection only, so a platform without LiveKit (or without the optional dependency)
 * never loads it. Without a LiveKit server this adapter cannot be exercised beyond a refused connection:
 * see docs/livekit.md.
 */

/** Text-to-speech's `pcm` rate (OpenAI's), so the agent's voice needs no resampling on this side. */
const voiceSampleRate = 24_000;
/** How WebRTC delivers audio; the agent's listener resamples to speech-to-text's rate itself. */
const microphoneSampleRate = 48_000;

let loading: Promise<typeof Rtc> | null = null;

/** `@livekit/rtc-node`, imported once, on first use. */
export function loadRtc(): Promise<typeof Rtc> {
  loading ??= import('@livekit/rtc-node').catch((error: unknown) => {
    loading = null;
    throw new Error(`@livekit/rtc-node could not be loaded (is it installed?): ${String(error)}`);
  });
  return loading;
}

/** Connectors in this process that have used rtc-node and not yet closed. */
let users = 0;

/**
 * Releases rtc-node's native runtime once no connector uses it: while it is up, it keeps the process alive.
 * A later connection starts it afresh.
 */
async function releaseRtc(): Promise<void> {
  users -= 1;
  if (users > 0 || !loading) return;
  const lk = await loading;
  if (users > 0) return;
  await lk.dispose();
  // rtc-node keeps its client on the global object; without this a later connection would reuse the
  // disposed one.
  globalThis._ffiClientInstance = undefined;
}

/** `log`: where the adapter reports what goes wrong inside it (the agent logs everything else). */
export function rtcNodeConnector(log: Logger): RoomConnector {
  let used = false;
  return {
    async connect(url, token, candidateIdentity, handlers) {
      if (!used) {
        used = true;
        users += 1;
      }
      const lk = await loadRtc();
      return joinRoom(lk, url, token, candidateIdentity, handlers, log);
    },
    async close() {
      if (!used) return;
      used = false;
      await releaseRtc();
    },
  };
}

async function joinRoom(
  lk: typeof Rtc,
  url: string,
  token: string,
  candidateIdentity: string,
  handlers: RoomHandlers,
  logger: Logger,
): Promise<AgentRoom> {
  const log = logger.child({ candidate_identity: candidateIdentity });
  const room = new lk.Room();
  const listening = new Set<ReadableStreamDefaultReader<Rtc.AudioFrame>>();
  let leaving = false;

  room.on(lk.RoomEvent.ParticipantConnected, (participant) => {
    if (participant.identity === candidateIdentity) handlers.candidatePresence(true);
  });
  room.on(lk.RoomEvent.ParticipantDisconnected, (participant) => {
    if (participant.identity === candidateIdentity) handlers.candidatePresence(false);
  });
  room.on(lk.RoomEvent.TrackSubscribed, (track, _publication, participant) => {
    if (participant.identity !== candidateIdentity || track.kind !== lk.TrackKind.KIND_AUDIO) return;
    const stream = new lk.AudioStream(track, { sampleRate: microphoneSampleRate, numChannels: 1 });
    const reader = stream.getReader();
    listening.add(reader);
    void forwardCandidateFrames(reader, handlers, log).finally(() => listening.delete(reader));
  });
  room.on(lk.RoomEvent.Disconnected, (reason) => {
    if (!leaving) handlers.disconnected(disconnectOf(lk, reason));
  });

  await room.connect(url, token, { autoSubscribe: true, dynacast: false });
  const source = voiceSource(lk);
  try {
    const track = lk.LocalAudioTrack.createAudioTrack('interviewer', source);
    await room.localParticipant!.publishTrack(
      track,
      new lk.TrackPublishOptions({ source: lk.TrackSource.SOURCE_MICROPHONE }),
    );
  } catch (error) {
    leaving = true;
    await room.disconnect();
    await source.close();
    throw error;
  }
  if (room.remoteParticipants.has(candidateIdentity)) handlers.candidatePresence(true);

  return {
    output: audioOutputOf(lk, source),
    publishData: (payload) =>
      room.localParticipant!.publishData(payload, { reliable: true, topic: agentTopic }),
    async disconnect() {
      leaving = true;
      for (const reader of listening) await reader.cancel().catch(() => undefined);
      await room.disconnect();
      await source.close();
    },
  };
}

/**
 * Hands the candidate's frames to the agent until the stream ends. A throw from the agent's handler is a
 * bug on this side, not the track going away: it is logged (once a stream, not a hundred times a second)
 * and the next frame goes on, so one bad frame does not leave the agent deaf. However the loop ends, the
 * reader is cancelled, or rtc-node would go on queueing frames for a stream nobody reads.
 */
export async function forwardCandidateFrames(
  reader: ReadableStreamDefaultReader<Rtc.AudioFrame>,
  handlers: RoomHandlers,
  log: Logger,
): Promise<void> {
  let failures = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      try {
        handlers.candidateFrame(frameOf(value));
      } catch (err) {
        failures += 1;
        if (failures === 1) log.error({ err }, "the agent could not take a frame of the candidate's audio");
      }
    }
  } catch {
    // The track went away (unpublished, or the room closed): a new subscription opens a new stream.
  } finally {
    if (failures > 1) log.error({ failures }, "frames of the candidate's audio the agent could not take");
    await reader.cancel().catch(() => undefined);
  }
}

/** What LiveKit's reason for a disconnect means for the agent (see RoomDisconnect). */
export function disconnectOf(lk: typeof Rtc, reason: Rtc.DisconnectReason): RoomDisconnect {
  const detail = `disconnected by the room (${lk.DisconnectReason[reason] ?? reason})`;
  switch (reason) {
    case lk.DisconnectReason.ROOM_CLOSED:
    case lk.DisconnectReason.ROOM_DELETED:
      return { kind: 'room_closed', detail };
    case lk.DisconnectReason.PARTICIPANT_REMOVED:
      return { kind: 'removed', detail };
    default:
      // DUPLICATE_IDENTITY among them: another agent joined as `interviewer`, and the claim decides which
      // one stays, so this one lets go at once as for a lost connection.
      return { kind: 'connection_lost', detail };
  }
}

/** The agent's voice into an rtc-node AudioSource (which paces it out in real time, with a 1 s queue). */
export function audioOutputOf(lk: typeof Rtc, source: Rtc.AudioSource): AudioOutput {
  return {
    sampleRate: source.sampleRate,
    captureFrame: (frame) =>
      source.captureFrame(
        new lk.AudioFrame(frame.data, frame.sampleRate, frame.channels, frame.samplesPerChannel),
      ),
    queuedMs: () => source.queuedDuration,
    clear: () => source.clearQueue(),
    waitForPlayout: () => source.waitForPlayout(),
  };
}

/** Where the agent's voice goes: an AudioSource at text-to-speech's rate. */
export function voiceSource(lk: typeof Rtc): Rtc.AudioSource {
  return new lk.AudioSource(voiceSampleRate, 1);
}

function frameOf(frame: Rtc.AudioFrame): PcmFrame {
  return {
    data: frame.data,
    sampleRate: frame.sampleRate,
    channels: frame.channels,
    samplesPerChannel: frame.samplesPerChannel,
  };
}
