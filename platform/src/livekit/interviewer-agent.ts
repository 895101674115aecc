import type { Logger } from 'pino';
import type { Orm } from '../db/orm.ts';
import { AsyncQueue } from '../engine/async-queue.ts';
import type { InterviewEngine } from '../engine/engine.ts';
import { ApiError } from '../http/api-error.ts';
import { Interview } from '../interviews/interview.entity.ts';
import { effectiveStatus } from '../interviews/interviews.ts';
import type { SpeechToText, TextToSpeech } from '../providers/providers.ts';
import { sentences } from '../providers/sentences.ts';
import { inspectAudio } from '../sessions/audio-answer.ts';
import { compareIds } from '../sessions/event-ids.ts';
import type { DeliveredEvent, SessionEventBus } from '../sessions/session-events.ts';
import { recordInterruption } from '../transcripts/interruptions.ts';
import {
  CandidateListener,
  type CandidateListenerOptions,
  type ListenerEvent,
} from './candidate-listener.ts';
import { encodeWav, type PcmFrame } from './pcm.ts';
import {
  type AgentMessage,
  type AgentRoom,
  type AgentState,
  encodeAgentMessage,
  type RoomHandlers,
} from './room.ts';
import { SpeechPlayer } from './speech-player.ts';

export interface InterviewerAgentOptions {
  interviewId: string;
  engine: InterviewEngine;
  bus: SessionEventBus;
  orm: Orm;
  speechToText: SpeechToText;
  /** Null: the agent listens, and the candidate reads the interviewer's words as captions. */
  textToSpeech: TextToSpeech | null;
  /** The job's voice for text-to-speech. */
  voice: string;
  /** The job's language, for speech-to-text. */
  language: string;
  logger: Logger;
  /** The last turn the room heard, as an agent before this one recorded it: not said again. */
  spokenTurnId?: string | null;
  /** Records that the room heard a turn (played out, or interrupted). */
  onSpoken?: (turnId: string) => Promise<void>;
  listener?: CandidateListenerOptions;
  /** How long the agent waits for the candidate to join, or to come back, before it leaves. Default 60 s. */
  candidateGraceMs?: number;
}

/** Why an agent left its room. */
export type AgentOutcome = 'interview_over' | 'candidate_absent' | 'disconnected' | 'stopped';

interface InterviewerTurn {
  id: string;
  text: string;
  /** Its `interviewer.done` arrived: the text is whole and the turn is in the transcript. */
  done: boolean;
  /** The candidate has answered since (by voice or by text). */
  answered: boolean;
  /** While the turn is being spoken: its text deltas, for text-to-speech. */
  speaking: AsyncQueue<string> | null;
  /**
   * The interviewer broke off (an `error` instead of `interviewer.done`): no more of it is coming, and it is
   * tried again whole, under a new id. What is being said of it plays out; it is never started.
   */
  broken: boolean;
  /** Playing it into the room failed: the candidate reads it as captions, as when its speech fails. */
  unplayable: boolean;
}

/** An utterance of the candidate, or several in a row, on its way to being an answer. */
interface SpokenAnswer {
  /** At the listener's rate, mono. */
  audio: Int16Array;
  sampleRate: number;
  /**
   * The interviewer turn it answers: the one the candidate interrupted, or else the latest they could hear or
   * read as they began. Null before any.
   */
  turnId: string | null;
}

/** An answer waiting for the candidate's turn. */
interface HeldAnswer {
  answer: SpokenAnswer;
  /** It goes only on a `state` later than this one (counted in `#states`): the ones up to it are stale. */
  afterState: number;
}

/**
 * The interviewer in a LiveKit room. It feeds the same interview engine as the HTTP transport: the
 * candidate's utterances become WAV answers committed through the engine's answer path (stored, transcribed,
 * evented exactly like `POST /v1/session/answers` with audio), and the interviewer's turns, read from the
 * session's event stream like the widget reads them, are spoken into the room with text-to-speech as PCM.
 * It stops speaking when the candidate talks over it and records the interruption on the turn, and it tells
 * the candidate's page its state and interim captions over the data channel.
 */
export class InterviewerAgent implements RoomHandlers {
  readonly #o: InterviewerAgentOptions;
  readonly #listener: CandidateListener;
  readonly #log: Logger;
  readonly #subscription = new AbortController();
  #room: AgentRoom | null = null;
  #player: SpeechPlayer | null = null;
  #outcome: AgentOutcome | null = null;
  #resolve: (outcome: AgentOutcome) => void = () => undefined;
  readonly #finished: Promise<AgentOutcome>;
  #scheduled = false;
  #sending: Promise<void> = Promise.resolve();

  #candidatePresent = false;
  #absentTimer: NodeJS.Timeout | null = null;

  // The interview as the event stream tells it.
  #status = 'scheduled';
  #turn: 'interviewer' | 'candidate' | 'none' = 'none';
  #completed = false;
  #latest: InterviewerTurn | null = null;
  #spokenTurnId: string | null;
  /** A barge-in on a turn not yet in the transcript: recorded once its `interviewer.done` arrives. */
  #pendingInterruption: { turnId: string; heardMs: number } | null = null;

  // The candidate's answers.
  #submitting = false;
  /** `state` events seen so far. */
  #states = 0;
  /** The turn the utterance under way answers, from its start (or the barge-in). */
  #answering: string | null = null;
  #held: HeldAnswer | null = null;

  // Interim captions of the utterance under way.
  #utterance = 0;
  #partial = '';
  #captioning = false;
  #pendingPhrase: Int16Array | null = null;
  #state: AgentState | null = null;

  constructor(options: InterviewerAgentOptions) {
    this.#o = options;
    this.#listener = new CandidateListener(options.listener);
    this.#log = options.logger.child({ interview_id: options.interviewId, component: 'livekit-agent' });
    this.#spokenTurnId = options.spokenTurnId ?? null;
    this.#finished = new Promise((resolve) => {
      this.#resolve = resolve;
    });
  }

  /** What the agent is doing, as it last told the room. */
  get state(): AgentState | null {
    return this.#state;
  }

  // --- The room ---------------------------------------------------------------------------------------

  candidatePresence(present: boolean): void {
    this.#candidatePresent = present;
    if (present) {
      if (this.#absentTimer) clearTimeout(this.#absentTimer);
      this.#absentTimer = null;
      // Data packets reach only those in the room: a candidate who just joined hears the state afresh.
      this.#state = null;
    } else {
      // Nobody hears it: stop, and say the turn again if the candidate comes back.
      this.#stopSpeaking();
      if (this.#room) this.#waitForCandidate();
    }
    this.#schedule();
  }

  candidateFrame(frame: PcmFrame): void {
    if (!this.#room || this.#outcome) return;
    for (const event of this.#listener.push(frame)) this.#onListenerEvent(event);
  }

  disconnected(reason: string): void {
    this.#log.warn({ reason }, 'the agent lost its room');
    this.#finish('disconnected');
  }

  /** Runs the agent in `room` until the interview is over, the candidate is gone, or `stop` is called. */
  async run(room: AgentRoom): Promise<AgentOutcome> {
    // Stopped before it got here (the worker left while it was joining).
    if (this.#outcome) return this.#outcome;
    this.#room = room;
    this.#player = new SpeechPlayer(room.output, () => this.#schedule());
    try {
      const em = this.#o.orm.em.fork();
      const interview = await em.findOneOrFail(Interview, this.#o.interviewId);
      const status = effectiveStatus(interview);
      if (status !== 'scheduled' && status !== 'in_progress') {
        this.#finish('interview_over');
        return this.#finished;
      }
      if (this.#outcome) return this.#outcome;
      void this.#consume();
      // As a reconnecting widget does: a fresh state for everyone, and a nudge for a turn a crash left behind.
      await this.#o.engine.publishCurrentState(this.#o.interviewId);
    } catch (err) {
      // A start that failed leaves nothing running: no events read, nothing spoken into a room being left.
      this.#finish('stopped');
      throw err;
    }
    this.#o.engine.resume(this.#o.interviewId);
    if (!this.#candidatePresent) this.#waitForCandidate();
    this.#schedule();
    return this.#finished;
  }

  /** Leaves at once (the worker is stopping, or another worker took the interview over). */
  stop(): void {
    this.#finish('stopped');
  }

  #finish(outcome: AgentOutcome): void {
    if (this.#outcome) return;
    this.#outcome = outcome;
    this.#subscription.abort();
    this.#stopSpeaking();
    if (this.#absentTimer) clearTimeout(this.#absentTimer);
    this.#resolve(outcome);
  }

  #waitForCandidate(): void {
    if (this.#absentTimer) clearTimeout(this.#absentTimer);
    this.#absentTimer = setTimeout(
      () => this.#finish('candidate_absent'),
      this.#o.candidateGraceMs ?? 60_000,
    );
    this.#absentTimer.unref();
  }

  // --- The interview, from its event stream ----------------------------------------------------------

  async #consume(): Promise<void> {
    // From the start of what the bus keeps, so a turn already under way (or done, and not yet heard) is
    // spoken whole; only what happens from now on is forwarded to the room.
    const joinedAt = `${Date.now()}-0`;
    try {
      for await (const delivered of this.#o.bus.subscribe(
        this.#o.interviewId,
        null,
        this.#subscription.signal,
      )) {
        this.#onSessionEvent(delivered, compareIds(delivered.id, joinedAt) > 0);
      }
      // The bus closed under the agent (its process is shutting down): another agent takes over.
      this.#finish('disconnected');
    } catch (err) {
      if (!this.#outcome) this.#log.error({ err }, 'the agent lost the session events');
      this.#finish('disconnected');
    }
  }

  #onSessionEvent(delivered: DeliveredEvent, live: boolean): void {
    const { event } = delivered;
    // The interviewer's voice is this agent's own track; the rest goes to the page as the stream has it.
    if (live && event.type !== 'interviewer.audio') {
      this.#send({ type: event.type, id: delivered.id, data: event.data });
    }
    switch (event.type) {
      case 'state':
        this.#states += 1;
        this.#status = event.data.status;
        this.#turn = event.data.turn;
        if (this.#status === 'canceled' || this.#status === 'expired') this.#finish('interview_over');
        this.#submitHeld();
        break;
      case 'interviewer.delta': {
        const turn = this.#turnOf(event.data.turn_id);
        turn.text += event.data.text;
        turn.speaking?.push(event.data.text);
        break;
      }
      case 'interviewer.done': {
        const turn = this.#turnOf(event.data.turn_id);
        // Not being spoken yet: speak the committed text, whatever deltas came before the agent did.
        if (!turn.speaking) turn.text = event.data.text;
        turn.done = true;
        turn.speaking?.close();
        if (this.#pendingInterruption?.turnId === turn.id) {
          const { turnId, heardMs } = this.#pendingInterruption;
          this.#pendingInterruption = null;
          void this.#recordInterruption(turnId, heardMs);
        } else if (this.#pendingInterruption) {
          // Its turn broke off and was never committed: there is nothing to record it on.
          this.#pendingInterruption = null;
        }
        if (this.#held && this.#held.answer.turnId !== turn.id) {
          // Said before this turn began, to one that broke off or was answered already: not an answer to it.
          this.#dropHeld('the candidate spoke before this interviewer turn: not taken as an answer');
        }
        break;
      }
      case 'error': {
        // The turn under way broke off (`interviewer_unavailable`): it gets no `interviewer.done`, so its
        // speech is ended here, or the agent would wait on it, and seem to be speaking, until the retry.
        const turn = this.#latest;
        if (turn && !turn.done && !turn.broken) {
          turn.broken = true;
          turn.speaking?.close();
        }
        break;
      }
      case 'candidate.transcript':
        if (this.#latest) {
          this.#latest.answered = true;
          // Answered by text meanwhile: the question needs no more saying.
          if (this.#player?.turnId === this.#latest.id) this.#stopSpeaking();
        }
        break;
      case 'interview.completed':
        this.#completed = true;
        this.#dropHeld('the interview is over: an utterance was not taken as an answer');
        break;
      default:
        break;
    }
    this.#schedule();
  }

  /** The interviewer turn `id`; a new one replaces the last (a turn retried after a failure has a new id). */
  #turnOf(id: string): InterviewerTurn {
    if (this.#latest?.id === id) return this.#latest;
    if (this.#player?.turnId && this.#player.turnId !== id) this.#stopSpeaking();
    this.#latest = {
      id,
      text: '',
      done: false,
      answered: false,
      speaking: null,
      broken: false,
      unplayable: false,
    };
    return this.#latest;
  }

  // --- Speaking ---------------------------------------------------------------------------------------

  /** What to do next, once the events and frames at hand are all taken in. */
  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      this.#tick();
    });
  }

  #tick(): void {
    if (this.#outcome || !this.#room || !this.#player) return;
    if (this.#wantsToSpeak() && !this.#player.turnId) void this.#speak(this.#latest!);
    this.#listener.agentSpeaking = this.#player.audible;
    if (this.#completed && !this.#player.turnId && !this.#wantsToSpeak()) {
      this.#finish('interview_over');
      return;
    }
    const state: AgentState = this.#player.audible
      ? 'speaking'
      : this.#submitting || this.#turn === 'interviewer'
        ? 'thinking'
        : 'listening';
    if (state !== this.#state) {
      this.#state = state;
      this.#send({ type: 'agent.state', data: { state } });
    }
  }

  #wantsToSpeak(): boolean {
    const turn = this.#latest;
    return (
      this.#candidatePresent &&
      this.#o.textToSpeech !== null &&
      turn !== null &&
      !turn.answered &&
      !turn.broken &&
      !turn.unplayable &&
      turn.id !== this.#spokenTurnId
    );
  }

  async #speak(turn: InterviewerTurn): Promise<void> {
    const tts = this.#o.textToSpeech!;
    const deltas = new AsyncQueue<string>();
    deltas.push(turn.text);
    if (turn.done) deltas.close();
    turn.speaking = deltas;
    const log = this.#log;
    const voice = this.#o.voice;
    async function* speech(signal: AbortSignal): AsyncIterable<Uint8Array> {
      try {
        for await (const sentence of sentences(deltas)) {
          // Of a turn that broke off, the sentence being said is finished; the rest (a fragment, perhaps) is not.
          if (signal.aborted || turn.broken) return;
          yield* tts.synthesize(sentence, { voice, format: 'pcm', signal });
        }
      } catch (err) {
        // As over HTTP: the turn goes on as captions when its speech fails.
        if (!signal.aborted) log.warn({ err, turn_id: turn.id }, 'text-to-speech failed for this turn');
      }
    }
    try {
      const outcome = await this.#player!.play(turn.id, speech);
      if (outcome === 'played') await this.#spoken(turn.id);
    } catch (err) {
      // Not tried again: the room's audio output failed, and would fail the same way, each time after paying
      // for the speech anew.
      turn.unplayable = true;
      this.#log.error({ err, turn_id: turn.id }, 'the agent could not play a turn; it goes on as captions');
    } finally {
      if (turn.speaking === deltas) turn.speaking = null;
      this.#schedule();
    }
  }

  #stopSpeaking(): number {
    const turn = this.#latest;
    const heard = this.#player?.stop() ?? 0;
    if (turn?.speaking) {
      turn.speaking.close();
      turn.speaking = null;
    }
    return heard;
  }

  async #spoken(turnId: string): Promise<void> {
    this.#spokenTurnId = turnId;
    await this.#o
      .onSpoken?.(turnId)
      .catch((err: unknown) =>
        this.#log.warn({ err, turn_id: turnId }, 'could not record the turn as spoken'),
      );
  }

  // --- Listening --------------------------------------------------------------------------------------

  #onListenerEvent(event: ListenerEvent): void {
    switch (event.type) {
      case 'speech':
        this.#answering = this.#latest?.id ?? null;
        break;
      case 'interrupt':
        this.#bargeIn();
        break;
      case 'phrase':
        this.#caption(event.audio);
        break;
      case 'utterance': {
        this.#utterance += 1;
        this.#partial = '';
        this.#pendingPhrase = null;
        const turnId = this.#answering ?? this.#latest?.id ?? null;
        this.#answering = null;
        // Whenever it ends (the question's commit may still be on its way, or an earlier answer's), it waits
        // for the candidate's turn at the question it answers, as the widget's answer queue waits.
        this.#hold({ audio: event.audio, sampleRate: event.sampleRate, turnId }, -1);
        this.#submitHeld();
        break;
      }
      default:
        break;
    }
    this.#schedule();
  }

  /** The candidate talks over the interviewer: it stops at once, and the turn records how much was heard. */
  #bargeIn(): void {
    const turnId = this.#player?.turnId;
    if (!turnId) return;
    const heardMs = Math.round(this.#stopSpeaking());
    this.#answering = turnId;
    void this.#spoken(turnId);
    if (this.#latest?.id === turnId && this.#latest.done) void this.#recordInterruption(turnId, heardMs);
    else this.#pendingInterruption = { turnId, heardMs };
  }

  async #recordInterruption(turnId: string, heardMs: number): Promise<void> {
    try {
      await recordInterruption(this.#o.orm.em.fork(), this.#o.interviewId, turnId, heardMs);
      this.#log.info({ turn_id: turnId, heard_ms: heardMs }, 'the candidate interrupted the interviewer');
    } catch (err) {
      this.#log.warn({ err, turn_id: turnId }, 'could not record the interruption');
    }
  }

  /**
   * Keeps `answer` for the candidate's turn, after what is held already for the same question (the candidate
   * said it in more than one go); what is held for an earlier question is stale and goes.
   */
  #hold(answer: SpokenAnswer, afterState: number): void {
    const held = this.#held;
    if (held && held.answer.turnId === answer.turnId) {
      held.answer = joined(held.answer, answer);
      held.afterState = Math.max(held.afterState, afterState);
      return;
    }
    if (held)
      this.#dropHeld('the candidate spoke again, to a later question: the earlier utterance is dropped');
    this.#held = { answer, afterState };
  }

  /** Submits the held answer if it is the candidate's turn at the question it answers. */
  #submitHeld(): void {
    const held = this.#held;
    if (!held || this.#submitting || this.#outcome) return;
    if (this.#turn !== 'candidate' || this.#states <= held.afterState) return;
    if (held.answer.turnId !== (this.#latest?.id ?? null)) {
      this.#dropHeld('the candidate spoke before this interviewer turn: not taken as an answer');
      return;
    }
    this.#held = null;
    void this.#submit(held.answer);
  }

  #dropHeld(why: string): void {
    if (!this.#held) return;
    this.#log.info({ turn_id: this.#held.answer.turnId }, why);
    this.#held = null;
  }

  /** Commits an utterance as the candidate's answer, through the same path as an uploaded WAV. */
  async #submit(answer: SpokenAnswer): Promise<void> {
    this.#submitting = true;
    const sentAtState = this.#states;
    this.#schedule();
    try {
      const wav = encodeWav(answer.audio, answer.sampleRate);
      const { contentType, durationMs } = inspectAudio(wav, 'audio/wav');
      for (let attempt = 1; ; attempt++) {
        try {
          await this.#o.engine.answer(this.#o.interviewId, {
            audio: { bytes: wav, contentType, durationMs },
          });
          break;
        } catch (err) {
          // Speech-to-text failed and nothing was committed: once more, as a widget retries an upload.
          if (err instanceof ApiError && err.code === 'service_unavailable' && attempt < 2) continue;
          throw err;
        }
      }
      // The candidate's turn is over: what they said meanwhile waits for a `state` after this answer's.
      if (this.#held) this.#held.afterState = Math.max(this.#held.afterState, this.#states);
    } catch (err) {
      if (err instanceof ApiError && err.code === 'invalid_state' && !this.#completed) {
        // Not the candidate's turn after all (the events lagged): it waits for a `state` newer than the
        // request, ahead of anything said since.
        const later = this.#held;
        this.#held = null;
        this.#hold(answer, sentAtState);
        if (later) this.#hold(later.answer, later.afterState);
      } else if (err instanceof ApiError && err.code === 'invalid_state') {
        this.#log.info({ detail: err.message }, 'an utterance was not taken as an answer');
      } else {
        // Nothing was committed (as when an upload fails): the candidate, hearing no reply, says it again.
        this.#log.error({ err }, 'could not commit a spoken answer');
      }
    } finally {
      this.#submitting = false;
      this.#schedule();
      this.#submitHeld();
    }
  }

  /** Interim captions: each phrase (up to a short pause) is transcribed as it ends, one request at a time. */
  #caption(audio: Int16Array): void {
    const pending = this.#pendingPhrase;
    if (pending) {
      const joined = new Int16Array(pending.length + audio.length);
      joined.set(pending);
      joined.set(audio, pending.length);
      this.#pendingPhrase = joined;
    } else {
      this.#pendingPhrase = audio;
    }
    void this.#captionNext();
  }

  async #captionNext(): Promise<void> {
    if (this.#captioning || !this.#pendingPhrase) return;
    const audio = this.#pendingPhrase;
    const utterance = this.#utterance;
    this.#pendingPhrase = null;
    this.#captioning = true;
    try {
      const { text } = await this.#o.speechToText.transcribe(
        { bytes: encodeWav(audio, this.#listener.sampleRate), contentType: 'audio/wav' },
        { language: this.#o.language },
      );
      const words = text.trim();
      // A caption for an utterance that has ended meanwhile is stale: its transcript is on its way.
      if (words && utterance === this.#utterance && !this.#outcome) {
        this.#partial = this.#partial ? `${this.#partial} ${words}` : words;
        this.#send({ type: 'candidate.partial', data: { text: this.#partial } });
      }
    } catch (err) {
      this.#log.debug({ err }, 'no interim caption for a phrase');
    } finally {
      this.#captioning = false;
      void this.#captionNext();
    }
  }

  #send(message: AgentMessage): void {
    const room = this.#room;
    if (!room) return;
    const payload = encodeAgentMessage(message);
    // In order, one at a time: a caption must not overtake the state it follows.
    this.#sending = this.#sending
      .then(() => room.publishData(payload))
      .catch((err: unknown) => this.#log.debug({ err }, 'a data packet was not sent'));
  }
}

/** Two utterances as one answer, in the order they were said. */
function joined(first: SpokenAnswer, then: SpokenAnswer): SpokenAnswer {
  const audio = new Int16Array(first.audio.length + then.audio.length);
  audio.set(first.audio);
  audio.set(then.audio, first.audio.length);
  return { ...first, audio };
}
