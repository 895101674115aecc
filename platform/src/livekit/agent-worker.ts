import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { LiveKitConfig } from '../config/config.ts';
import type { Orm } from '../db/orm.ts';
import type { InterviewEngine } from '../engine/engine.ts';
import { Interview } from '../interviews/interview.entity.ts';
import { effectiveStatus } from '../interviews/interviews.ts';
import { jobOfInterview } from '../jobs/job-snapshot.ts';
import { CycleLog } from '../observability/outages.ts';
import type { Providers } from '../providers/providers.ts';
import type { SessionEventBus } from '../sessions/session-events.ts';
import {
  type AgentEndReason,
  agentJoined,
  claimAgents,
  endAgent,
  type HeldAgent,
  markSpoken,
  releaseAgent,
  releaseFailedClaim,
  renewAgentLeases,
} from './agent-requests.ts';
import type { CandidateListenerOptions } from './candidate-listener.ts';
import { type AgentOutcome, InterviewerAgent } from './interviewer-agent.ts';
import { agentGrant, agentIdentity, candidateIdentity, mintLiveKitToken } from './livekit-token.ts';
import type { AgentRoom, RoomConnector } from './room.ts';
import { rtcNodeConnector } from './rtc-node-room.ts';

export interface AgentWorkerOptions {
  orm: Orm;
  logger: Logger;
  config: LiveKitConfig;
  engine: InterviewEngine;
  bus: SessionEventBus;
  providers: Providers;
  /** How the agents reach LiveKit; `@livekit/rtc-node` unless a test says otherwise. */
  connector?: RoomConnector;
  /** How long the worker sleeps when there is nothing to do. Default 500 ms. */
  idleMs?: number;
  /** A claim's lease, renewed every third of it while the agent is in the room. Default 15 s. */
  leaseSeconds?: number;
  /** Claims of one interview in a row without joining its room before the agent is given up. Default 6. */
  maxAttempts?: number;
  /** How long joining a room may take before it counts as a failed attempt. Default 20 s. */
  connectTimeoutMs?: number;
  /**
   * An agent whose connection is lost after a stay this long joins again at once; one lost sooner counts as
   * a failed attempt, so a room that keeps dropping its agent is not joined again and again. Default 60 s.
   */
  steadyStayMs?: number;
  candidateGraceMs?: number;
  listener?: CandidateListenerOptions;
}

interface Hosted {
  held: HeldAgent;
  agent: InterviewerAgent | null;
  /** Aborted when the worker stops, or the claim is lost: an agent still being prepared or joining gives up. */
  leaving: AbortController;
  done: Promise<void>;
}

/**
 * Runs interviewer agents: claims the interviews that asked for a LiveKit room (SKIP LOCKED, so workers in
 * any number of processes share them and never run two agents for one room), joins each room, and keeps
 * the claim's lease while the agent is there. A worker that dies stops renewing; once the lease lapses
 * another worker claims the interview and its agent joins the room in the first one's place.
 */
export class LiveKitAgentWorker {
  readonly #o: AgentWorkerOptions;
  readonly #connector: RoomConnector;
  readonly #cycles: CycleLog;
  readonly #name = `${hostname()}:${process.pid}`;
  readonly #hosted = new Map<string, Hosted>();
  #running = false;
  #loop: Promise<void> | null = null;
  #wake: (() => void) | null = null;
  #renewal: NodeJS.Timeout | null = null;

  constructor(options: AgentWorkerOptions) {
    this.#o = options;
    this.#connector =
      options.connector ?? rtcNodeConnector(options.logger.child({ component: 'livekit-room' }));
    this.#cycles = new CycleLog(options.logger, 'livekit agent worker');
  }

  get #leaseSeconds(): number {
    return this.#o.leaseSeconds ?? 15;
  }

  /** Interviews whose agent this worker runs now. */
  get hosting(): string[] {
    return [...this.#hosted.keys()];
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#loop = this.#run();
    this.#renewal = setInterval(() => void this.#renew(), (this.#leaseSeconds * 1000) / 3);
    this.#renewal.unref();
  }

  nudge(): void {
    this.#wake?.();
  }

  /** Leaves every room and lets go of the claims, so other workers take the interviews over at once. */
  async stop(): Promise<void> {
    this.#running = false;
    this.nudge();
    await this.#loop;
    for (const hosted of this.#hosted.values()) this.#leave(hosted);
    await Promise.allSettled([...this.#hosted.values()].map((h) => h.done));
    if (this.#renewal) clearInterval(this.#renewal);
    await this.#connector.close?.();
  }

  #leave(hosted: Hosted): void {
    hosted.leaving.abort();
    hosted.agent?.stop();
  }

  async #run(): Promise<void> {
    while (this.#running) {
      let claimed: HeldAgent[] = [];
      try {
        const room = this.#o.config.maxAgents - this.#hosted.size;
        if (room > 0)
          claimed = await claimAgents(this.#o.orm.em.fork(), room, this.#leaseSeconds, this.#name);
        for (const held of claimed) {
          const hosted: Hosted = {
            held,
            agent: null,
            leaving: new AbortController(),
            done: Promise.resolve(),
          };
          this.#hosted.set(held.interviewId, hosted);
          hosted.done = this.#host(hosted).finally(() => {
            if (this.#hosted.get(held.interviewId) === hosted) this.#hosted.delete(held.interviewId);
            this.nudge();
          });
        }
        this.#cycles.succeeded();
      } catch (err) {
        this.#cycles.failed(err);
      }
      if (!this.#running) break;
      if (claimed.length === 0) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, this.#o.idleMs ?? 500);
          this.#wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.#wake = null;
      }
    }
  }

  async #renew(): Promise<void> {
    const hosted = [...this.#hosted.values()];
    if (hosted.length === 0) return;
    try {
      const ours = await renewAgentLeases(
        this.#o.orm.em.fork(),
        hosted.map((h) => h.held),
        this.#leaseSeconds,
      );
      for (const h of hosted) {
        // Taken over (this process stalled past its lease): the other worker's agent is the one in the room.
        if (!ours.has(h.held.interviewId) && this.#hosted.get(h.held.interviewId) === h) {
          this.#o.logger.warn(
            { interview_id: h.held.interviewId },
            'livekit agent claim lost; leaving the room',
          );
          this.#leave(h);
        }
      }
    } catch (err) {
      this.#o.logger.warn({ err }, 'could not renew livekit agent leases');
    }
  }

  async #host(hosted: Hosted): Promise<void> {
    const { held } = hosted;
    const log = this.#o.logger.child({ interview_id: held.interviewId, room: held.room });
    const em = this.#o.orm.em.fork();
    try {
      const interview = await em.findOne(Interview, held.interviewId);
      // A leave (shutdown, claim lost) may come during any read before the agent exists to hear it.
      if (await this.#leftEarly(hosted)) return;
      const status = interview ? effectiveStatus(interview) : null;
      if (!interview || (status !== 'scheduled' && status !== 'in_progress')) {
        await this.#end(held, 'interview_over');
        return;
      }
      const { speechToText, textToSpeech } = this.#o.providers;
      if (!interview.livemode || !speechToText) {
        await this.#end(held, 'not_voice');
        return;
      }
      if (held.attempts > this.#maxAttempts) {
        log.error(
          { attempts: held.attempts },
          'livekit agent could not join, or stay in, its room; giving up',
        );
        await this.#end(held, 'connection_failed');
        return;
      }
      const job = await jobOfInterview(em, interview);
      if (await this.#leftEarly(hosted)) return;
      const agent = new InterviewerAgent({
        interviewId: held.interviewId,
        engine: this.#o.engine,
        bus: this.#o.bus,
        orm: this.#o.orm,
        speechToText,
        textToSpeech,
        voice: job.settings.voice,
        language: job.language,
        logger: this.#o.logger,
        spokenTurnId: held.spokenTurnId,
        onSpoken: (turnId) => markSpoken(this.#o.orm.em.fork(), held, turnId),
        listener: { ...this.#o.listener, ...(held.silenceMs ? { silenceMs: held.silenceMs } : {}) },
        ...(this.#o.candidateGraceMs ? { candidateGraceMs: this.#o.candidateGraceMs } : {}),
      });
      hosted.agent = agent;
      const { token } = await mintLiveKitToken({
        apiKey: this.#o.config.apiKey,
        apiSecret: this.#o.config.apiSecret,
        identity: agentIdentity,
        name: job.settings.interviewer_name,
        kind: 'agent',
        grant: agentGrant(held.room),
        ttlSeconds: 600,
      });
      if (await this.#leftEarly(hosted)) return;
      let room: AgentRoom;
      try {
        room = await this.#join(hosted, token, agent);
      } catch (err) {
        if (hosted.leaving.signal.aborted) {
          await releaseAgent(this.#o.orm.em.fork(), held);
          return;
        }
        // Tried again by any worker after a backoff: 2, 4, 8... seconds, at most a minute.
        const retryIn = Math.min(60, 2 ** held.attempts);
        log.warn({ err, attempt: held.attempts, retry_in_seconds: retryIn }, 'livekit agent could not join');
        await releaseAgent(this.#o.orm.em.fork(), held, retryIn);
        return;
      }
      log.info('livekit agent joined its room');
      const joinedAt = performance.now();
      let outcome: AgentOutcome;
      try {
        await agentJoined(this.#o.orm.em.fork(), held);
        outcome = await agent.run(room);
      } finally {
        // However the stay ended, nothing of the agent (its events, its speech requests) outlives its room.
        agent.stop();
        await room.disconnect().catch((err: unknown) => log.warn({ err }, 'livekit agent left uncleanly'));
      }
      log.info({ outcome }, 'livekit agent left its room');
      await this.#left(held, outcome, performance.now() - joinedAt, log);
    } catch (err) {
      await this.#crashed(hosted, err, log);
    }
  }

  /** Lets go of the interview as the agent's stay ended. */
  async #left(held: HeldAgent, outcome: AgentOutcome, stayedMs: number, log: Logger): Promise<void> {
    switch (outcome) {
      case 'interview_over':
      case 'candidate_absent':
      case 'room_closed':
      case 'removed':
        // Not wanted again until the candidate asks for the room again.
        await this.#end(held, outcome);
        return;
      case 'stopped':
        // Shutdown, or the claim was lost: another worker (or this one) joins at once.
        await releaseAgent(this.#o.orm.em.fork(), held);
        return;
      case 'disconnected': {
        if (stayedMs >= (this.#o.steadyStayMs ?? 60_000)) {
          await releaseAgent(this.#o.orm.em.fork(), held);
          return;
        }
        // Dropped soon after it came: at once the first time (a blip), then after 2, 4, 8... seconds.
        const retryIn = held.attempts <= 1 ? 0 : Math.min(60, 2 ** (held.attempts - 1));
        log.warn(
          { attempt: held.attempts, retry_in_seconds: retryIn },
          'livekit agent was dropped soon after it joined',
        );
        await releaseFailedClaim(this.#o.orm.em.fork(), held, retryIn);
        return;
      }
    }
  }

  get #maxAttempts(): number {
    return this.#o.maxAttempts ?? 6;
  }

  /** Whether the worker left (stopped, or lost the claim) while the agent was being prepared: then lets go. */
  async #leftEarly(hosted: Hosted): Promise<boolean> {
    if (!hosted.leaving.signal.aborted) return false;
    hosted.agent?.stop();
    await releaseAgent(this.#o.orm.em.fork(), hosted.held);
    return true;
  }

  /**
   * A crash counts as a failed claim and backs off as a failed join does, so a fault that recurs every time
   * (a bug, a broken row) is given up rather than retried for as long as the candidate waits.
   */
  async #crashed(hosted: Hosted, err: unknown, log: Logger): Promise<void> {
    const { held } = hosted;
    try {
      if (held.attempts >= this.#maxAttempts) {
        log.error({ err, attempts: held.attempts }, 'livekit agent crashed repeatedly; giving up');
        await this.#end(held, 'crashed_repeatedly');
        return;
      }
      const retryIn = Math.min(60, 2 ** held.attempts);
      log.error({ err, attempt: held.attempts, retry_in_seconds: retryIn }, 'livekit agent crashed');
      await releaseFailedClaim(this.#o.orm.em.fork(), held, retryIn);
    } catch (error) {
      // The claim's lease lapses and the interview is claimed again: an agent is never silently left behind.
      log.warn({ err: error }, 'could not record the livekit agent crash; its lease will lapse');
    }
  }

  /** Joins the room, giving up at the deadline or when the worker leaves; a join that lands late is undone. */
  async #join(hosted: Hosted, token: string, agent: InterviewerAgent): Promise<AgentRoom> {
    const { signal } = hosted.leaving;
    // An 'abort' listener added after the abort never fires.
    if (signal.aborted) throw new Error('the worker is leaving');
    const joining = this.#connector.connect(
      this.#o.config.url,
      token,
      candidateIdentity(hosted.held.interviewId),
      agent,
    );
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    const givenUp = new Promise<never>((_, reject) => {
      const timeoutMs = this.#o.connectTimeoutMs ?? 20_000;
      timer = setTimeout(() => reject(new Error(`no room joined within ${timeoutMs} ms`)), timeoutMs);
      onAbort = () => reject(new Error('the worker is leaving'));
      signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      return await Promise.race([joining, givenUp]);
    } catch (error) {
      joining.then((room) => room.disconnect()).catch(() => undefined);
      throw error;
    } finally {
      clearTimeout(timer);
      if (onAbort) signal.removeEventListener('abort', onAbort);
    }
  }

  async #end(held: HeldAgent, reason: AgentEndReason): Promise<void> {
    await endAgent(this.#o.orm.em.fork(), held, reason);
  }
}
