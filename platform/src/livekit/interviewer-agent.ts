import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { Orm } from '../db/orm.ts';
import { AsyncQueue } from '../engine/async-queue.ts';
import type { InterviewEngine } from '../engine/engine.ts';
import { ApiError } from '../http/api-error.ts';
import { Interview } from '../interviews/interview.entity.ts';
import { effectiveStatus } from '../interviews/interviews.ts';
import type { SpeechToText, TextToSpeech } from '../providers/providers.ts';
import { compareIds } from '../sessions/event-ids.ts';
import type { DeliveredEvent, SessionEventBus } from '../sessions/session-events.ts';
import { BargeIns } from './barge-ins.ts';
import {
  CandidateListener,
  type CandidateListenerOptions,
  type ListenerEvent,
} from './candidate-listener.ts';
import { HeldAnswers, type TakenAnswer } from './held-answers.ts';
import { InterimCaptions } from './interim-captions.ts';
import { type InterviewerTurn, newInterviewerTurn, turnSpeech } from './interviewer-turn.ts';
import type { PcmFrame } from './pcm.ts';
import {
  type AgentMessage,
  type AgentRoom,
  type AgentState,
  encodeAgentMessage,
  type RoomDisconnect,
  type RoomHandlers,
} from './room.ts';
import { SpeechPlayer } from './speech-player.ts';
import { commitSpokenAnswer } from './spoken-answer.ts';

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

/**
 * Why an agent left its room. `room_closed` and `removed` come from the server (see RoomDisconnect) while
 * the candidate is there; when the candidate is not, either is `candidate_absent`.
 */
export type AgentOutcome =
  | 'interview_over'
  | 'candidate_absent'
  | 'room_closed'
  | 'removed'
  | 'disconnected'
  | 'stopped';

/** How long a leaving agent waits for its last data packets to go out before the room is left anyway. */
const lastPacketsMs = 1000;

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
  /**
   * Whether the events replayed on joining have all been taken in. Until then the agent knows only part of
   * the interview (a question, and not yet its answer), so it neither speaks nor commits answers.
   */
  #caughtUp = false;

  #candidatePresent = false;
  #absentTimer: NodeJS.Timeout | null = null;

  // The interview as the event stream tells it.
  #status = 'scheduled';
  #turn: 'interviewer' | 'candidate' | 'none' = 'none';
  #completed = false;
  #latest: InterviewerTurn | null = null;
  #spokenTurnId: string | null;

  // What the candidate says: answers, interim captions, and barge-ins.
  readonly #answers: HeldAnswers;
  readonly #captions: InterimCaptions;
  readonly #bargeIns: BargeIns;
  #submitting = false;
  /** The turn the utterance under way answers, from its start (or the barge-in). */
  #answering: string | null = null;

  #state: AgentState | null = null;

  constructor(options: InterviewerAgentOptions) {
    this.#o = options;
    this.#listener = new CandidateListener(options.listener);
    this.#log = options.logger.child({ interview_id: options.interviewId, component: 'livekit-agent' });
    this.#spokenTurnId = options.spokenTurnId ?? null;
    this.#answers = new HeldAnswers(this.#log);
    this.#captions = new InterimCaptions({
      speechToText: options.speechToText,
      language: options.language,
      sampleRate: this.#listener.sampleRate,
      logger: this.#log,
      onCaption: (text) => this.#send({ type: 'candidate.partial', data: { text } }),
    });
    this.#bargeIns = new BargeIns({ orm: options.orm, interviewId: options.interviewId, logger: this.#log });
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

  disconnected(disconnect: RoomDisconnect): void {
    this.#log.warn({ reason: disconnect.detail }, 'the agent lost its room');
    if (disconnect.kind === 'connection_lost') {
      this.#finish('disconnected');
      return;
    }
    // The room is gone, or the agent was sent away from it: joining again at once would make an empty room
    // anew, or be sent away again. The candidate asking for the room again wants an agent again.
    this.#finish(this.#candidatePresent ? disconnect.kind : 'candidate_absent');
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
        return this.#left();
      }
      // Where the replay ends, on the bus's own clock, read before subscribing: everything up to it happened
      // before the agent came, everything after is live.
      const replayTo = await this.#o.bus.lastId(this.#o.interviewId);
      if (this.#outcome) return this.#outcome;
      void this.#consume(replayTo);
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
    return this.#left();
  }

  /** The outcome, once the last data packets are out, so that leaving the room does not cut them off. */
  async #left(): Promise<AgentOutcome> {
    const outcome = await this.#finished;
    await Promise.race([this.#sending, sleep(lastPacketsMs, undefined, { ref: false })]);
    return outcome;
  }

  /** Leaves at once (the worker is stopping, or another worker took the interview over). */
  stop(): void {
    this.#finish('stopped');
  }

  #finish(outcome: AgentOutcome): void {
    if (this.#outcome) return;
    this.#outcome = outcome;
    this.#subscription.abort();
    this.#captions.close();
    this.#stopSpeaking();
    if (this.#absentTimer) clearTimeout(this.#absentTimer);
    // The room hears the agent fall silent before it goes: a widget that is finishing closes the room then,
    // rather than wait for the end of a voice that is not coming.
    if (this.#state === 'speaking') this.#tellState('listening');
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

  /**
   * Reads the interview's events from the start of what the bus keeps, so a turn already under way (or done,
   * and not yet heard) is spoken whole. Those up to `replayTo` are taken in without a word to the room (a
   * replay comes in pages, with waits between them); only what happens after is forwarded.
   */
  async #consume(replayTo: string | null): Promise<void> {
    this.#caughtUp = replayTo === null;
    try {
      for await (const delivered of this.#o.bus.subscribe(
        this.#o.interviewId,
        null,
        this.#subscription.signal,
      )) {
        this.#onSessionEvent(delivered, this.#caughtUp);
        if (!this.#caughtUp && replayTo !== null && compareIds(delivered.id, replayTo) >= 0) {
          this.#caughtUp = true;
          this.#schedule();
          this.#submitHeld();
        }
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
        this.#answers.stateSeen();
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
        this.#bargeIns.interviewerTurnDone(turn.id);
        this.#answers.interviewerTurnDone(turn.id);
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
        this.#answers.interviewOver();
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
    this.#latest = newInterviewerTurn(id);
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
    if (this.#outcome || !this.#room || !this.#player || !this.#caughtUp) return;
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
    if (state !== this.#state) this.#tellState(state);
  }

  #tellState(state: AgentState): void {
    this.#state = state;
    this.#send({ type: 'agent.state', data: { state } });
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
    const deltas = new AsyncQueue<string>();
    deltas.push(turn.text);
    if (turn.done) deltas.close();
    turn.speaking = deltas;
    const speech = turnSpeech(turn, deltas, {
      textToSpeech: this.#o.textToSpeech!,
      voice: this.#o.voice,
      logger: this.#log,
    });
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
        this.#captions.phrase(event.audio);
        break;
      case 'utterance': {
        this.#captions.utteranceEnded();
        const turnId = this.#answering ?? this.#latest?.id ?? null;
        this.#answering = null;
        // Whenever it ends (the question's commit may still be on its way, or an earlier answer's), it waits
        // for the candidate's turn at the question it answers, as the widget's answer queue waits.
        this.#answers.utterance({ audio: event.audio, sampleRate: event.sampleRate, turnId });
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
    this.#bargeIns.interrupted(turnId, heardMs, this.#latest?.id === turnId && this.#latest.done);
  }

  /** Submits the held answer if it is the candidate's turn at the question it answers. */
  #submitHeld(): void {
    if (this.#submitting || this.#outcome || !this.#caughtUp || this.#turn !== 'candidate') return;
    const taken = this.#answers.take(this.#latest?.id ?? null);
    if (taken) void this.#submit(taken);
  }

  /** Commits a held answer, and holds it again if it came before the candidate's turn after all. */
  async #submit(taken: TakenAnswer): Promise<void> {
    this.#submitting = true;
    this.#schedule();
    try {
      await commitSpokenAnswer(this.#o.engine, this.#o.interviewId, taken.answer);
      this.#answers.committed();
    } catch (err) {
      if (err instanceof ApiError && err.code === 'invalid_state' && !this.#completed) {
        // Not the candidate's turn after all (the events lagged): it waits for its turn again.
        this.#answers.notTheirTurn(taken);
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
