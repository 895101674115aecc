import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import type { BlobStore } from '../blobs/blob-store.ts';
import { candidateBlobPrefix } from '../candidates/candidates.ts';
import type { Orm } from '../db/orm.ts';
import { recordInterviewEvent } from '../events/record-event.ts';
import { ApiError } from '../http/api-error.ts';
import { newId } from '../ids.ts';
import { Interview } from '../interviews/interview.entity.ts';
import { effectiveStatus } from '../interviews/interviews.ts';
import { Job } from '../jobs/job.entity.ts';
import { jobOfInterview, snapshotOf } from '../jobs/job-snapshot.ts';
import type { Providers } from '../providers/providers.ts';
import type { SessionEvent, SessionEventBus } from '../sessions/session-events.ts';
import { Turn, type TurnAudio } from '../transcripts/turn.entity.ts';
import { assertWithinAnswerLimits } from './answer-limits.ts';
import { completeInterview } from './complete-interview.ts';
import type { InterviewBrief, Interviewer, Move } from './interviewer.ts';
import { LlmInterviewer } from './llm-interviewer.ts';
import { nextMove, progressAfter, questionIndexAfter } from './moves.ts';
import { OfflineInterviewer } from './offline-interviewer.ts';
import { speakTurn } from './speak-turn.ts';
import { type StateJob, stateEvent } from './state-event.ts';
import { type Swept, stalledTurns, sweepInterviews } from './sweeper.ts';
import { type ClaimedTurn, claimTurn } from './turn-claim.ts';
import { type AnswerWritten, type WrittenTurn, writeAnswer, writeInterviewerTurn } from './turn-writes.ts';

export interface EngineOptions {
  orm: Orm;
  bus: SessionEventBus;
  providers: Providers;
  blobs: BlobStore;
  logger: Logger;
  /** Most LLM tokens one interview may spend; past it the interviewer closes. */
  tokenBudget: number;
  /** Overrides the lease below (VIVA_INTERVIEWER_LEASE_SECONDS): how long a turn is held before another may take it. */
  leaseSeconds?: number;
  /** How long one turn may take before it is given up (VIVA_INTERVIEWER_TURN_SECONDS); by default 3/4 of the lease. */
  turnSeconds?: number;
}

/** What the candidate's answer became: the turn's id and its text (as transcribed, for audio). */
export interface AnsweredTurn {
  id: string;
  text: string;
}

export type Answer =
  | { text: string }
  | { audio: { bytes: Buffer; contentType: string; durationMs: number | null } };

/**
 * How long an instance may hold an interviewer turn before another may take it over (after a crash). A turn
 * outliving it could be generated twice, but only one commits: the commit re-checks whose turn it is.
 */
const leaseSeconds = 20;
const offline = new OfflineInterviewer();

const interviewerSpeaking = () =>
  new ApiError('invalid_state', 'The interviewer is still speaking: answer once the question is asked.');

/**
 * The interview as a state machine: scheduled → in_progress → completed (or expired, canceled). Each step
 * commits the turn it produced and the progress it reached in one transaction, so a crash at any moment
 * resumes from the last committed step, on this instance or another. The engine knows nothing of HTTP.
 */
export class InterviewEngine {
  readonly #o: EngineOptions;
  readonly #llm: LlmInterviewer | null;
  /** Interviews whose pending turn another instance holds: retried here once that lease lapses. */
  readonly #retries = new Map<string, NodeJS.Timeout>();
  /** Turns this instance is generating, which a graceful stop lets finish. */
  readonly #inFlight = new Set<Promise<void>>();
  #stopping = false;
  /** Abandons the turns still in flight once a stop's grace is over. */
  readonly #abandon = new AbortController();

  constructor(options: EngineOptions) {
    this.#o = options;
    this.#llm = options.providers.chat ? new LlmInterviewer(options.providers.chat) : null;
  }

  /** Test mode always uses the offline interviewer: no provider cost for test keys. */
  interviewerFor(interview: Interview): Interviewer {
    return interview.livemode && this.#llm ? this.#llm : offline;
  }

  /** Starts a scheduled interview, or resumes one in progress; either way the conversation moves on. */
  async start(interviewId: string): Promise<Interview> {
    const interview = await this.#o.orm.em.fork().transactional(async (em) => {
      const row = await this.#lock(em, interviewId);
      const status = effectiveStatus(row);
      if (status === 'in_progress') return row;
      if (status !== 'scheduled') throw new ApiError('invalid_state', `This interview is ${status}.`);
      row.status = 'in_progress';
      // From here on the interview follows the job as it is now, whatever edits come later.
      row.jobSnapshot = snapshotOf(await em.findOneOrFail(Job, row.jobId));
      row.startedAt = new Date();
      row.updatedAt = new Date();
      row.progress = { ...row.progress, phase: 'intro', awaiting: 'interviewer' };
      recordInterviewEvent(em, 'interview.started', row);
      return row;
    });
    await this.announceState(interview);
    this.resume(interviewId);
    return interview;
  }

  /**
   * Commits the candidate's answer (audio to storage first, then the transcript turn) before returning,
   * then lets the interviewer reply in the background: the reply streams as session events.
   */
  async answer(interviewId: string, answer: Answer): Promise<AnsweredTurn> {
    const em = this.#o.orm.em.fork();
    let text: string;
    let audio: TurnAudio | null = null;
    const turnId = newId('turn');
    if ('audio' in answer) {
      assertWithinAnswerLimits(answer.audio);
      // Checked before the upload and the transcription, which cost; the write checks again.
      const current = await em.findOneOrFail(Interview, interviewId);
      this.#assertCandidateTurn(current);
      const stt = this.#o.providers.speechToText;
      // Test mode is offline end to end (no provider cost), so it takes text only, as GET /v1/session says.
      if (!stt || !current.livemode) {
        throw new ApiError('invalid_request', 'This interview takes text answers only.');
      }
      const extension = answer.audio.contentType.split('/')[1]!.split(';')[0];
      const blobKey = `${candidateBlobPrefix(current, current.candidateId)}interviews/${interviewId}/${turnId}.${extension}`;
      await this.#o.blobs.put(blobKey, answer.audio.bytes, answer.audio.contentType);
      audio = {
        blobKey,
        contentType: answer.audio.contentType,
        size: answer.audio.bytes.length,
        durationMs: answer.audio.durationMs,
      };
      const job = await jobOfInterview(em, current);
      try {
        text = (await stt.transcribe(answer.audio, { language: job.language })).text.trim();
      } catch (error) {
        // Nothing of a failed answer stays behind: the candidate sends it again.
        await this.#o.blobs.delete(blobKey).catch(() => undefined);
        this.#o.logger.error({ err: error, interview_id: interviewId }, 'speech-to-text failed');
        throw new ApiError(
          'service_unavailable',
          'Your answer could not be transcribed just now. Send it again in a moment.',
        );
      }
      if (text === '') {
        // Silence or noise: committed, it would use up the candidate's turn with an answer of nothing.
        await this.#o.blobs.delete(blobKey).catch(() => undefined);
        throw new ApiError('invalid_request', 'No speech was heard in this answer; record it again.');
      }
    } else {
      text = answer.text.trim();
    }
    const turn: WrittenTurn = {
      id: turnId,
      text,
      audio,
      startedAt: new Date(Date.now() - (audio?.durationMs ?? 0)),
    };
    let written: AnswerWritten;
    try {
      written = await this.#writeAnswer(em, interviewId, turn);
    } catch (error) {
      // Lost a race with a concurrent answer: the audio stored for this one belongs to nothing.
      if (audio) await this.#o.blobs.delete(audio.blobKey).catch(() => undefined);
      throw error;
    }
    // The answer is committed: it stands, and the reply goes ahead, whatever becomes of these two events. A
    // 5xx now would have the candidate send it again, into a 409, while no turn was ever started.
    await this.#publish(interviewId, [
      { type: 'candidate.transcript', data: { turn_id: turn.id, text, final: true } },
      stateEvent(written.interview, written.job),
    ]).catch((error: unknown) =>
      this.#o.logger.warn(
        { err: error, interview_id: interviewId },
        'could not publish an answer’s events; the answer stands',
      ),
    );
    this.resume(interviewId);
    return { id: turn.id, text };
  }

  /** Commits the answer if it is the candidate's turn; otherwise throws why it is not. */
  async #writeAnswer(em: EntityManager, interviewId: string, turn: WrittenTurn): Promise<AnswerWritten> {
    const written = await writeAnswer(em, interviewId, turn);
    if (written) return written;
    // Read afresh (the fork's identity map may hold an older copy) to say why. Should it have become the
    // candidate's turn since, this answer still came while the interviewer was speaking.
    this.#assertCandidateTurn(await em.fork().findOneOrFail(Interview, interviewId));
    throw interviewerSpeaking();
  }

  /** The candidate ends the interview early; what was said so far stands. */
  async end(interviewId: string): Promise<Interview> {
    const { interview, ended } = await this.#o.orm.em.fork().transactional(async (em) => {
      const row = await this.#lock(em, interviewId);
      const status = effectiveStatus(row);
      if (status === 'completed') return { interview: row, ended: false };
      if (status !== 'in_progress') throw new ApiError('invalid_state', `This interview is ${status}.`);
      completeInterview(em, row, 'candidate_ended');
      return { interview: row, ended: true };
    });
    // Whoever completed it (the closing turn, or an end a moment earlier) has announced it already.
    if (ended) await this.#announced(interview, this.#announceCompletion(interview));
    return interview;
  }

  /**
   * Records what time alone decided (lapsed invitations, abandoned interviews) and tells anyone still
   * listening, so a widget left open sees its interview end rather than waiting on a turn that never comes.
   */
  async sweep(): Promise<Swept> {
    const swept = await sweepInterviews(this.#o.orm);
    // Committed already: one announcement that fails (Redis away) must not cost the others theirs.
    for (const interview of swept.expired) await this.announceState(interview);
    for (const interview of swept.abandoned) {
      await this.#announced(interview, this.#announceCompletion(interview));
    }
    // A turn whose instance died, or that failed, while the candidate's stream stayed open: nothing else
    // would try it again until the widget reconnects.
    const idle = this.#o.leaseSeconds ?? leaseSeconds;
    for (const id of await stalledTurns(this.#o.orm, idle)) this.resume(id);
    return swept;
  }

  /**
   * Stops taking turns and gives the ones in flight `graceSeconds` to finish, so a deploy costs the candidate
   * nothing: a reply already being spoken is finished and committed here, rather than left under a lease that
   * another instance must first wait out. Turns still running after that are abandoned and their leases
   * released, as are turns that fall due meanwhile: either is generated where the widget reconnects once this
   * instance ends its streams.
   */
  async close(graceSeconds = 0): Promise<void> {
    this.#stopping = true;
    for (const timer of this.#retries.values()) clearTimeout(timer);
    this.#retries.clear();
    const finished = Promise.allSettled([...this.#inFlight]);
    let grace: NodeJS.Timeout | undefined;
    await Promise.race([
      finished,
      new Promise((resolve) => (grace = setTimeout(resolve, graceSeconds * 1000))),
    ]);
    clearTimeout(grace);
    this.#abandon.abort(new Error('This instance is stopping.'));
    await finished;
  }

  /**
   * Generates the interviewer's pending turn if one is due and no live instance is generating it. Called
   * after each step and whenever a session reconnects, which is how a crashed turn is taken over.
   */
  resume(interviewId: string): void {
    if (this.#stopping) return;
    const running = this.#runTurn(interviewId).catch((error: unknown) => {
      if (this.#abandon.signal.aborted) {
        // Not a failure the candidate should hear of: their widget reconnects elsewhere and the turn runs there.
        this.#o.logger.info({ interview_id: interviewId }, 'interviewer turn left to another instance');
        return;
      }
      this.#o.logger.error({ err: error, interview_id: interviewId }, 'interviewer turn failed');
      void this.#o.bus
        .publish(interviewId, {
          type: 'error',
          data: {
            code: 'interviewer_unavailable',
            message: 'The interviewer could not reply. Reconnect to try again.',
          },
        })
        .catch(() => undefined);
    });
    this.#inFlight.add(running);
    void running.finally(() => this.#inFlight.delete(running));
  }

  /**
   * Publishes the interview's current `state` for a session that just (re)connected. Read and published
   * under a share lock of the row, so no step can commit in between: a step committed after this read
   * publishes its own state after this one, and a fresh connection never leaves the widget on an older state.
   */
  async publishCurrentState(interviewId: string): Promise<void> {
    await this.#o.orm.em.fork().transactional(async (tx) => {
      const interview = await tx.findOneOrFail(Interview, interviewId, {
        lockMode: LockMode.PESSIMISTIC_READ,
      });
      const job = await jobOfInterview(tx, interview);
      await this.#o.bus.publish(interviewId, stateEvent(interview, job));
    });
  }

  /** Publishes the `state` event; `job` saves reading it again when the caller has it. */
  async publishState(interview: Interview, job?: StateJob): Promise<void> {
    await this.#o.bus.publish(interview.id, stateEvent(interview, await this.#jobOf(interview, job)));
  }

  /**
   * Tells a session the `state` a committed change left (a cancel, an erasure, a sweep). A failure (Redis
   * away) is logged, not thrown: the change stands, and an error would only send its caller to retry a
   * change that is done.
   */
  announceState(interview: Interview): Promise<void> {
    return this.#announced(interview, this.publishState(interview));
  }

  #announced(interview: Interview, publishing: Promise<void>): Promise<void> {
    return publishing.catch((err: unknown) =>
      this.#o.logger.warn(
        { err, interview_id: interview.id, status: interview.status },
        'could not tell the session that its interview ended',
      ),
    );
  }

  async #runTurn(interviewId: string): Promise<void> {
    const em = this.#o.orm.em.fork();
    const claim = await claimTurn(em, interviewId, this.#o.leaseSeconds ?? leaseSeconds);
    if (!claim.claimed) {
      if (claim.heldUntil) this.#retryAt(interviewId, claim.heldUntil);
      return;
    }
    try {
      await this.#generateTurn(em, claim.claimed);
    } catch (error) {
      // Let the next reconnect (on any instance) try again at once rather than after the lease lapses; only
      // this lease, though: once it lapsed, another instance may have taken the turn over.
      await em
        .getConnection()
        .execute(
          `update interviews set progress = jsonb_set(progress, '{leaseUntil}', 'null') where id = ? and progress->>'leaseUntil' = ?`,
          [interviewId, claim.claimed.lease],
        )
        .catch(() => undefined);
      throw error;
    }
  }

  async #generateTurn(em: EntityManager, claimed: ClaimedTurn): Promise<void> {
    const { interview, job, history, lease } = claimed;
    const interviewId = interview.id;
    const move = nextMove(interview, job, history.length, this.#tokenBudgetOf(interview));
    const brief: InterviewBrief = {
      jobTitle: job.title,
      jobDescription: job.description,
      companyName: claimed.companyName,
      candidateName: claimed.candidateName ?? '',
      interviewerName: job.settings.interviewer_name,
      language: job.language,
      questionCount: job.questions.length,
      maxMinutes: Math.round(job.settings.max_duration_seconds / 60),
    };
    const turnId = newId('turn');
    const spoken = await speakTurn({
      interviewer: this.interviewerFor(interview),
      fallback: offline,
      brief,
      history,
      move,
      turnId,
      voice: job.settings.voice,
      bus: this.#o.bus,
      interviewId,
      textToSpeech: interview.livemode ? this.#o.providers.textToSpeech : null,
      logger: this.#o.logger,
      cancel: this.#abandon.signal,
      // Done well within the lease, or given up: a turn still running when its lease lapses would be taken
      // over by another instance (the sweep, a reconnect) and spoken twice, one of them never committed.
      signal: AbortSignal.timeout(
        (this.#o.turnSeconds ?? (this.#o.leaseSeconds ?? leaseSeconds) * 0.75) * 1000,
      ),
    });
    const audio = spoken.audio
      ? await this.#storeSpeech(interview, turnId, spoken.audio.bytes, spoken.audio.contentType)
      : null;

    const turn: WrittenTurn = { id: turnId, text: spoken.text, audio, startedAt: spoken.startedAt };
    const tokens = spoken.tokens;
    // Audio of a turn that is not written belongs to no turn: it goes, as the answer's audio does when its
    // write fails. Had the candidate been erased meanwhile, it would outlive the erasure.
    const dropAudio = () => (audio ? this.#o.blobs.delete(audio.blobKey).catch(() => undefined) : undefined);
    const committed = await (spoken.kind === 'closing'
      ? this.#writeClosing(em, interviewId, lease, turn, tokens, move)
      : writeInterviewerTurn(
          em,
          interviewId,
          lease,
          {
            ...turn,
            kind: spoken.kind,
            questionIndex: questionIndexAfter(interview.progress, spoken.kind),
          },
          { progress: progressAfter(interview.progress, spoken.kind, move), tokens },
        )
    ).catch(async (error: unknown) => {
      await dropAudio();
      throw error;
    });
    if (!committed) {
      await dropAudio();
      // Paid for and never heard: worth knowing when it happens often (an instance too slow for its lease).
      this.#o.logger.warn(
        { interview_id: interviewId, turn_id: turnId },
        'interviewer turn dropped: no longer due',
      );
      return;
    }
    const done: SessionEvent = { type: 'interviewer.done', data: { turn_id: turnId, text: spoken.text } };
    if (committed.status === 'completed') await this.#announceCompletion(committed, job, done);
    else await this.#publish(interviewId, [done, stateEvent(committed, job)]);
  }

  /**
   * The closing turn, in a transaction of its own: it also completes the interview and records the event
   * webhooks and scoring start from. Null when the turn is no longer due, or no longer ours: a turn that
   * outlived its lease was taken over, and by its end the interviewer may be due again, for a later answer.
   */
  async #writeClosing(
    em: EntityManager,
    interviewId: string,
    lease: string,
    turn: WrittenTurn,
    tokens: number,
    move: Move,
  ): Promise<Interview | null> {
    return em.fork().transactional(async (tx) => {
      const row = await this.#lock(tx, interviewId);
      if (row.status !== 'in_progress' || row.progress.awaiting !== 'interviewer') return null;
      if (row.progress.leaseUntil !== lease) return null;
      const seq = await this.#nextSeq(tx, row);
      tx.create(Turn, {
        ...turn,
        interviewId,
        tenantId: row.tenantId,
        livemode: row.livemode,
        seq,
        speaker: 'interviewer',
        kind: 'closing',
        questionIndex: null,
        interruptedAtMs: null,
        endedAt: new Date(),
        createdAt: new Date(),
      });
      row.tokensUsed += tokens;
      row.progress = { ...progressAfter(row.progress, 'closing', move), turnCount: seq };
      row.updatedAt = new Date();
      completeInterview(tx, row, move.kind === 'closing' ? move.reason : 'questions_done');
      return row;
    });
  }

  /** The token budget an interview's turns are held to: none for the offline interviewer, which spends none. */
  #tokenBudgetOf(interview: Interview): number | null {
    return interview.livemode && this.#llm ? this.#o.tokenBudget : null;
  }

  /** `job` if the caller has it, else read: what the `state` event needs of it. */
  async #jobOf(interview: Interview, job?: StateJob): Promise<StateJob> {
    return job ?? (await jobOfInterview(this.#o.orm.em.fork(), interview));
  }

  /** The `seq` of the turn about to be added to the interview whose row the caller holds locked. */
  async #nextSeq(tx: EntityManager, row: Interview): Promise<number> {
    return (row.progress.turnCount ?? (await tx.count(Turn, { interviewId: row.id }))) + 1;
  }

  async #announceCompletion(interview: Interview, job?: StateJob, ...before: SessionEvent[]): Promise<void> {
    const current = await this.#jobOf(interview, job);
    await this.#publish(interview.id, [
      ...before,
      stateEvent(interview, current),
      {
        type: 'interview.completed',
        data: { interview_id: interview.id, reason: interview.progress.closingReason ?? 'questions_done' },
      },
    ]);
  }

  /** Publishes `events` in order, in one round trip: the bus keeps the order of publishes made together. */
  async #publish(interviewId: string, events: SessionEvent[]): Promise<void> {
    await Promise.all(events.map((event) => this.#o.bus.publish(interviewId, event)));
  }

  #assertCandidateTurn(interview: Interview): void {
    const status = effectiveStatus(interview);
    if (status !== 'in_progress')
      throw new ApiError('invalid_state', `This interview is ${status}: it takes no more answers.`);
    if (interview.progress.awaiting !== 'candidate') throw interviewerSpeaking();
  }

  async #lock(em: EntityManager, interviewId: string): Promise<Interview> {
    return em.findOneOrFail(Interview, interviewId, { lockMode: LockMode.PESSIMISTIC_WRITE });
  }

  /**
   * Tries the turn again once another instance's lease on it lapses. A live holder commits before then and
   * the retry finds nothing due; a crashed one is taken over without waiting for the widget to reconnect.
   */
  #retryAt(interviewId: string, leaseUntil: string): void {
    if (this.#retries.has(interviewId)) return;
    const delay = Math.max(0, Date.parse(leaseUntil) - Date.now()) + 250;
    const timer = setTimeout(() => {
      this.#retries.delete(interviewId);
      this.resume(interviewId);
    }, delay);
    timer.unref();
    this.#retries.set(interviewId, timer);
  }

  async #storeSpeech(
    interview: Interview,
    turnId: string,
    bytes: Buffer,
    contentType: string,
  ): Promise<TurnAudio> {
    const extension = contentType.split('/')[1]?.replace('mpeg', 'mp3') ?? 'bin';
    const blobKey = `${candidateBlobPrefix(interview, interview.candidateId)}interviews/${interview.id}/${turnId}.${extension}`;
    await this.#o.blobs.put(blobKey, bytes, contentType);
    return { blobKey, contentType, size: bytes.length, durationMs: null };
  }
}
