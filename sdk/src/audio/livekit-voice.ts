import {
  DisconnectReason,
  type LocalTrackPublication,
  type Participant,
  type RemoteParticipant,
  type RemoteTrack,
  Room,
  RoomEvent,
  Track,
} from 'livekit-client';
import type { SessionEvent } from '../client/session-event-parser.ts';
import { agentIdentity, isInterviewer, parseAgentMessage } from './agent-messages.ts';
import type { Microphone } from './microphone.ts';
import type { VoiceActivityDetector } from './voice-activity.ts';
import type { VoiceTransport, VoiceTransportEvents } from './voice-transport.ts';

/** The room the platform grants (`POST /v1/session/livekit`): where it is, and the candidate's token. */
export interface LiveKitGrant {
  url: string;
  token: string;
}

export interface LiveKitVoiceOptions extends VoiceTransportEvents {
  grant: LiveKitGrant;
  microphone: Microphone;
  /**
   * Tells when the candidate speaks, for the visual (the agent decides what is an answer). Handed in rather
   * than imported, so this lazily loaded chunk shares no module with the script-tag entry, which would split
   * that module into a third file the entry must fetch before it runs.
   */
  detector: VoiceActivityDetector;
  /** How long the interviewer agent may be missing from the room before it counts as lost. */
  agentTimeoutMs: number;
  /** What the candidate is saying, as the agent hears it, before the transcript is final. */
  partialCaption(text: string): void;
  /** The room is gone for good (its own reconnection gave up), or the agent is: the voice falls back. */
  lost(reason: string): void;
}

// After the end, the agent's last words (the closing) may still be playing: the room stays this long at most.
const closingGraceMs = 30_000;

/**
 * The voice over LiveKit: the candidate joins the interview's room, publishes the microphone and hears the
 * interviewer agent's track. The agent hears the answers (and submits them to the platform, so the transcript
 * and the events are the same as over HTTP) and notices a barge-in itself; its data packets say what it is
 * doing and what it hears the candidate say. This module is loaded only when a session offers LiveKit: it
 * brings `livekit-client` with it.
 */
export class LiveKitVoice implements VoiceTransport {
  readonly kind = 'livekit';
  readonly #options: LiveKitVoiceOptions;
  readonly #room: Room;
  readonly #detector: VoiceActivityDetector;
  readonly #players = new Map<RemoteTrack, HTMLMediaElement[]>();
  #publication: LocalTrackPublication | null = null;
  /** Publishing, unpublishing and replacing the microphone, one after another. */
  #work: Promise<void> = Promise.resolve();
  #muted = false;
  #listening = false;
  #joined = false;
  #finishing = false;
  #closed = false;
  #agentSpeaking = false;
  #agentTimer: ReturnType<typeof setTimeout> | null = null;
  #closingTimer: ReturnType<typeof setTimeout> | null = null;

  private constructor(options: LiveKitVoiceOptions) {
    this.#options = options;
    this.#detector = options.detector;
    this.#room = new Room({ adaptiveStream: false, dynacast: false, stopLocalTrackOnUnpublish: false });
    this.#room
      .on(RoomEvent.TrackSubscribed, (track, _publication, participant) => {
        if (isInterviewer(participant)) this.#trackSubscribed(track);
      })
      .on(RoomEvent.TrackUnsubscribed, (track) => this.#trackUnsubscribed(track))
      .on(RoomEvent.DataReceived, (payload, participant, _kind, topic) => {
        if (isInterviewer(participant)) this.#data(payload, topic);
      })
      .on(RoomEvent.ParticipantConnected, (participant) => this.#participantChanged(participant))
      .on(RoomEvent.ParticipantDisconnected, (participant) => this.#participantChanged(participant))
      .on(RoomEvent.AudioPlaybackStatusChanged, () => this.#unblockAudio())
      .on(RoomEvent.Disconnected, (reason) => this.#disconnected(reason));
  }

  /**
   * Joins the room and publishes the microphone. Rejects if that fails or `signal` aborts first (the caller's
   * deadline): the room is left, and the caller falls back to HTTP.
   */
  static async join(options: LiveKitVoiceOptions, signal: AbortSignal): Promise<LiveKitVoice> {
    const voice = new LiveKitVoice(options);
    const aborted = new Promise<never>((_, reject) => {
      const abort = () => reject(signal.reason);
      if (signal.aborted) abort();
      signal.addEventListener('abort', abort, { once: true });
    });
    try {
      await Promise.race([voice.#join(), aborted]);
    } catch (error) {
      voice.close();
      throw error;
    }
    return voice;
  }

  get listening(): boolean {
    return this.#listening && !this.#finishing && !this.#closed;
  }

  async #join(): Promise<void> {
    const { grant, microphone } = this.#options;
    await this.#room.connect(grant.url, grant.token, { autoSubscribe: true });
    await this.#publish(microphone);
    this.#listening = true;
    this.#joined = true;
    // The click that started the interview allows audio; this makes sure of it where a browser insists.
    void this.#room.startAudio().catch(() => undefined);
    this.#watchAgent();
  }

  useMicrophone(microphone: Microphone | null): void {
    this.#listening = microphone !== null;
    this.#detector.reset();
    this.#options.candidateSpeaking(false);
    this.#enqueue(async () => {
      const published = this.#publication?.audioTrack;
      if (!microphone) {
        if (published) await this.#room.localParticipant.unpublishTrack(published, false);
        this.#publication = null;
        return;
      }
      const track = microphone.stream.getAudioTracks()[0];
      if (!published) await this.#publish(microphone);
      else if (track && published.mediaStreamTrack !== track) await published.replaceTrack(track, true);
    });
  }

  frame(level: number, atMs: number): void {
    if (this.#muted || this.#finishing || !this.#publication) return;
    const activity = this.#detector.pushLevel(level, atMs);
    if (activity?.type === 'start') this.#options.candidateSpeaking(true);
    else if (activity?.type === 'end') this.#options.candidateSpeaking(false);
  }

  setMuted(muted: boolean): void {
    this.#muted = muted;
    if (muted && this.#detector.speaking) this.#options.candidateSpeaking(false);
    this.#detector.reset();
    // Also tells the room, so the agent knows the silence is deliberate.
    this.#enqueue(async () => {
      const track = this.#publication?.audioTrack;
      if (track && track.isMuted !== muted) await (muted ? track.mute() : track.unmute());
    });
  }

  sessionEvent(_event: SessionEvent): void {
    // The agent speaks on its track: the event stream's `interviewer.audio` is not played.
  }

  finish(): void {
    if (this.#finishing || this.#closed) return;
    this.#finishing = true;
    this.#clearAgentTimer();
    if (this.#detector.speaking) this.#options.candidateSpeaking(false);
    this.useMicrophone(null);
    if (!this.#agentSpeaking) {
      this.close();
      return;
    }
    this.#closingTimer = setTimeout(() => this.close(), closingGraceMs);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#clearAgentTimer();
    if (this.#closingTimer) clearTimeout(this.#closingTimer);
    for (const track of this.#players.keys()) track.detach();
    this.#players.clear();
    if (this.#agentSpeaking) {
      this.#agentSpeaking = false;
      this.#options.interviewerSpeaking(false);
    }
    // The microphone is the client's, and outlives the room (a fallback goes on with it): never stopped here.
    void this.#room.disconnect(false).catch(() => undefined);
  }

  async #publish(microphone: Microphone): Promise<void> {
    const track = microphone.stream.getAudioTracks()[0];
    if (!track) throw new Error('The microphone has no audio track.');
    this.#publication = await this.#room.localParticipant.publishTrack(track, {
      source: Track.Source.Microphone,
      name: 'microphone',
    });
    if (this.#muted) await this.#publication.audioTrack?.mute();
  }

  #enqueue(step: () => Promise<void>): void {
    this.#work = this.#work.then(step).catch((error: unknown) => {
      if (!this.#closed)
        console.warn('[viva] the microphone could not be updated in the LiveKit room', error);
    });
  }

  #trackSubscribed(track: RemoteTrack): void {
    if (track.kind !== Track.Kind.Audio || this.#closed) return;
    // Not added to the page: an audio element plays detached, and the host's layout stays untouched.
    this.#players.set(track, [track.attach()]);
  }

  #trackUnsubscribed(track: RemoteTrack): void {
    if (!this.#players.delete(track)) return;
    track.detach();
  }

  #data(payload: Uint8Array, topic: string | undefined): void {
    const message = parseAgentMessage(payload, topic);
    if (!message || this.#closed) return;
    if (message.type === 'candidate.partial') {
      if (!this.#finishing) this.#options.partialCaption(message.text);
      return;
    }
    const speaking = message.state === 'speaking';
    if (speaking !== this.#agentSpeaking) {
      this.#agentSpeaking = speaking;
      this.#options.interviewerSpeaking(speaking);
    }
    if (this.#finishing && !speaking) this.close();
  }

  /** The interviewer agent, when it is in the room. */
  #agent(): Participant | undefined {
    const participant = this.#room.getParticipantByIdentity(agentIdentity);
    return isInterviewer(participant) ? participant : undefined;
  }

  /** The agent must be in the room: a candidate talking to an empty room would wait forever. */
  #watchAgent(): void {
    this.#clearAgentTimer();
    if (this.#finishing || this.#closed || this.#agent()) return;
    this.#agentTimer = setTimeout(
      () => this.#lost('the interviewer agent is not in the room'),
      this.#options.agentTimeoutMs,
    );
  }

  #participantChanged(participant: RemoteParticipant): void {
    if (participant.identity !== agentIdentity || !this.#joined) return;
    const present = this.#agent() !== undefined;
    // The interview is over and the agent, its closing said, has gone: nothing more will play.
    if (this.#finishing && !present) {
      this.close();
      return;
    }
    if (this.#agentSpeaking && !present) {
      this.#agentSpeaking = false;
      this.#options.interviewerSpeaking(false);
    }
    this.#watchAgent();
  }

  #clearAgentTimer(): void {
    if (this.#agentTimer) clearTimeout(this.#agentTimer);
    this.#agentTimer = null;
  }

  #unblockAudio(): void {
    if (this.#room.canPlaybackAudio || this.#closed) return;
    // The browser held the interviewer's audio back for want of a gesture: the candidate's next one frees it.
    const unblock = () => void this.#room.startAudio().catch(() => undefined);
    document.addEventListener('pointerdown', unblock, { once: true, capture: true });
    document.addEventListener('keydown', unblock, { once: true, capture: true });
  }

  #disconnected(reason: DisconnectReason | undefined): void {
    this.#lost(`the room disconnected (${DisconnectReason[reason ?? DisconnectReason.UNKNOWN_REASON]})`);
  }

  #lost(reason: string): void {
    if (this.#closed || !this.#joined) return;
    if (this.#finishing) {
      this.close();
      return;
    }
    this.close();
    this.#options.lost(reason);
  }
}
