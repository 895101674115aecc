import pLimit from 'p-limit';
import type { Logger } from 'pino';
import type { ScoringConfig } from '../config/config.ts';
import type { Orm } from '../db/orm.ts';
import type { Metrics } from '../observability/metrics.ts';
import { CycleLog } from '../observability/outages.ts';
import type { StructuredChat } from '../providers/providers.ts';
import { normalisedWeights, overallScore, recommendationFor } from './aggregate.ts';
import { ModelScorer } from './model-scorer.ts';
import { offlineScorer } from './offline-scorer.ts';
import { runScoring, type ScoringProgress } from './run-scoring.ts';
import { Scorecard, type ScoringFailure } from './scorecard.entity.ts';
import { addUsage, noUsage, type Scorer } from './scorer.ts';
import { loadScoringInput } from './scoring-input.ts';
import {
  claimRuns,
  countedAttempts,
  type HeldRun,
  type RunOutcome,
  renewLeases,
  settleRun,
} from './scoring-runs.ts';
import type { ScoringInput } from './scoring-types.ts';

/**
 * Takeovers a run may have before it is given up. A worker may die for reasons of its own (a deploy, a lost
 * host), so a takeover or two is routine; a run that keeps taking its workers down is not going to finish.
 */
export const maxTakeovers = 3;

export interface ScoringWorkerOptions {
  orm: Orm;
  logger: Logger;
  config: ScoringConfig;
  /** The scoring model; null scores every interview offline. */
  model: StructuredChat | null;
  metrics?: Metrics;
  /** How long the worker sleeps when there is nothing to do. */
  idleMs?: number;
  /** A claim's lease; renewed while the run goes on. */
  leaseSeconds?: number;
}

/**
 * Scores completed interviews in the background: claims pending scorecards (SKIP LOCKED, so workers in any
 * number of processes share them), scores each, and records a scorecard or a retry. Provider calls across all
 * its runs are capped at `config.concurrency`. A worker killed mid-run loses nothing: its lease lapses and
 * another worker takes the run over, keeping whatever earlier attempts finished, without counting it as a
 * further attempt.
 */
export class ScoringWorker {
  readonly #o: ScoringWorkerOptions;
  readonly #model: ModelScorer | null;
  readonly #cycles: CycleLog;
  readonly #held = new Map<string, { run: HeldRun; done: Promise<void> }>();
  #running = false;
  #loop: Promise<void> | null = null;
  #wake: (() => void) | null = null;
  #renewal: NodeJS.Timeout | null = null;

  constructor(options: ScoringWorkerOptions) {
    this.#o = options;
    this.#model = options.model && new ModelScorer(options.model, pLimit(options.config.concurrency));
    this.#cycles = new CycleLog(options.logger, 'scoring worker');
  }

  get #leaseSeconds(): number {
    return this.#o.leaseSeconds ?? 60;
  }

  /**
   * Runs held at once. Each run spends most of its time waiting on the provider, and the cap on provider
   * calls is what bounds the load; holding as many runs as calls keeps that cap busy without hoarding work
   * another process could do.
   */
  get #maxRuns(): number {
    return this.#o.config.concurrency;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#loop = this.#run();
    this.#renewal = setInterval(
      () => {
        const runs = [...this.#held.values()].map((h) => h.run);
        renewLeases(this.#o.orm.em.fork(), runs, this.#leaseSeconds).catch((err: unknown) =>
          this.#o.logger.warn({ err }, 'could not renew scoring leases'),
        );
      },
      (this.#leaseSeconds * 1000) / 3,
    );
    this.#renewal.unref();
  }

  nudge(): void {
    this.#wake?.();
  }

  /** Stops claiming, and waits for the runs in flight to be recorded. */
  async stop(): Promise<void> {
    this.#running = false;
    this.nudge();
    await this.#loop;
    await Promise.allSettled([...this.#held.values()].map((h) => h.done));
    if (this.#renewal) clearInterval(this.#renewal);
  }

  async #run(): Promise<void> {
    while (this.#running) {
      let claimed: HeldRun[] = [];
      try {
        const room = this.#maxRuns - this.#held.size;
        if (room > 0) claimed = await claimRuns(this.#o.orm.em.fork(), room, this.#leaseSeconds);
        for (const run of claimed) {
          // Our own run, claimed again after its lease lapsed (a renewal that failed): it goes on under the
          // new claim rather than running twice.
          const running = this.#held.get(run.id);
          if (running) {
            Object.assign(running.run, run);
            continue;
          }
          const done = this.#score(run).finally(() => {
            this.#held.delete(run.id);
            this.nudge();
          });
          this.#held.set(run.id, { run, done });
        }
        this.#cycles.succeeded();
      } catch (err) {
        this.#cycles.failed(err);
      }
      if (!this.#running) break;
      if (claimed.length === 0 || this.#held.size >= this.#maxRuns) {
        await new Promise<void>((resolve) => {
          // Short enough that a scorecard starts within a fraction of a second of its interview's end.
          const timer = setTimeout(resolve, this.#o.idleMs ?? 200);
          this.#wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.#wake = null;
      }
    }
  }

  async #score(run: HeldRun): Promise<void> {
    const started = performance.now();
    const log = this.#o.logger.child({ scorecard_id: run.id, attempt: run.attempts });
    try {
      const em = this.#o.orm.em.fork();
      const scorecard = await em.findOne(Scorecard, run.id);
      // Erased with its candidate meanwhile: nothing left to score.
      if (!scorecard) return;
      // Test mode never reaches a paid provider; live mode without one is scored offline, and says so.
      const scorer: Scorer = scorecard.livemode && this.#model ? this.#model : offlineScorer;
      // A run that keeps taking its workers down (or whose interview cannot be read) would be claimed again
      // at each lapse of its lease: past a few takeovers it is given up, and says so, rather than tried forever.
      if (run.takeovers > maxTakeovers) {
        await this.#giveUp(
          run,
          scorer,
          `Scoring was left unfinished ${run.takeovers} times: the workers scoring it stopped before recording a result.`,
        );
        return;
      }
      const input = await loadScoringInput(em, scorecard.interviewId, scorecard.rubric ?? null);
      if (!input) {
        await this.#giveUp(run, scorer, 'The interview could not be read.');
        return;
      }
      const answered = input.turns.some((t) => t.speaker === 'candidate' && t.text.trim() !== '');
      const keys = new Set(input.dimensions.map((d) => d.key));
      const progress = answered
        ? await runScoring(scorer, input, {
            dimensions: scorecard.dimensions.filter((d) => keys.has(d.key)),
            summary: scorecard.summary ?? null,
          })
        : null;
      const outcome = await this.#record(run, input, scorer, progress, log);
      if (!outcome) return;
      const label = labelOf(scorer);
      this.#o.metrics?.scoringRuns.inc({ outcome, scorer: label });
      this.#o.metrics?.scoringDuration.observe({ scorer: label }, (performance.now() - started) / 1000);
      const failure = progress?.failure;
      if (outcome === 'completed') log.info('scorecard completed');
      else
        log.warn(
          { err: failure, outcome },
          outcome === 'retry' ? 'scoring attempt failed; will retry' : 'scoring failed',
        );
    } catch (err) {
      // The lease lapses and the run is taken over: a scorecard is never silently left behind.
      log.error({ err }, 'scoring run crashed');
    }
  }

  /**
   * Settles the attempt with what it produced. Should that not save (a value the database refuses), the
   * attempt is recorded as failed instead, with what it cost, and retried like any other: left to its lease,
   * it would be taken over with its paid usage lost.
   */
  async #record(
    run: HeldRun,
    input: ScoringInput,
    scorer: Scorer,
    progress: ScoringProgress | null,
    log: Logger,
  ): Promise<RunOutcome | null> {
    try {
      return await settleRun(this.#o.orm.em.fork(), run, (row) =>
        this.#apply(row, run, input, scorer, progress),
      );
    } catch (err) {
      log.error({ err }, 'could not save a scoring attempt; recording it as failed');
      return settleRun(this.#o.orm.em.fork(), run, (row) => {
        row.model = scorer.model;
        row.promptVersion = scorer.promptVersion;
        row.usage = addUsage(row.usage, progress?.usage ?? noUsage);
        return this.#failAttempt(row, run, {
          code: 'internal_error',
          message: 'The result of a scoring attempt could not be saved.',
        });
      });
    }
  }

  /** What an attempt finished, onto its scorecard: completed, a retry, or failed. */
  #apply(
    row: Scorecard,
    run: HeldRun,
    input: ScoringInput,
    scorer: Scorer,
    progress: ScoringProgress | null,
  ): RunOutcome {
    const now = new Date();
    row.rubric = input.dimensions;
    row.model = scorer.model;
    row.promptVersion = scorer.promptVersion;
    if (!progress) {
      row.failure = {
        code: 'transcript_empty',
        message: 'The candidate gave no answers: there is nothing to score.',
      };
      row.failedAt = now;
      return 'failed';
    }
    row.dimensions = progress.dimensions;
    row.summary = progress.summary;
    row.usage = addUsage(row.usage, progress.usage);
    if (progress.failure) {
      return this.#failAttempt(row, run, { code: progress.failure.code, message: progress.failure.message });
    }
    const weights = normalisedWeights(input.dimensions);
    row.score = overallScore(progress.dimensions, weights);
    row.recommendation = recommendationFor(row.score);
    row.failure = null;
    row.completedAt = now;
    return 'completed';
  }

  /** A failed attempt: retried after a backoff, or, after the last attempt, the scorecard's end. */
  #failAttempt(row: Scorecard, run: HeldRun, failure: ScoringFailure): RunOutcome {
    const now = new Date();
    row.failure = failure;
    const attempt = countedAttempts(run);
    if (attempt >= this.#o.config.maxAttempts) {
      row.failedAt = now;
      return 'failed';
    }
    row.nextAttemptAt = new Date(now.getTime() + retryDelayMs(this.#o.config.retryBaseMs, attempt));
    return 'retry';
  }

  /** Fails the run without an attempt; the scorecard still names the scorer it would have had. */
  async #giveUp(run: HeldRun, scorer: Scorer, message: string): Promise<void> {
    const outcome = await settleRun(this.#o.orm.em.fork(), run, (row) => {
      row.model = scorer.model;
      row.promptVersion = scorer.promptVersion;
      row.failure = { code: 'internal_error', message };
      row.failedAt = new Date();
      return 'failed';
    });
    if (outcome) this.#o.metrics?.scoringRuns.inc({ outcome, scorer: labelOf(scorer) });
    this.#o.logger.warn(
      { scorecard_id: run.id, attempt: run.attempts, takeovers: run.takeovers },
      'scoring given up',
    );
  }
}

/** The scorer as metrics label it. */
function labelOf(scorer: Scorer): 'model' | 'offline' {
  return scorer === offlineScorer ? 'offline' : 'model';
}

/**
 * The longest wait between two attempts. The settings allow up to 20 attempts from a base of an hour, which
 * growing fourfold would put the next attempt past any date: beyond a day, waiting longer helps no one.
 */
export const maxRetryDelayMs = 24 * 60 * 60 * 1000;

/** The wait after failed attempt `attempt` (1-based): the base, then four times longer each time, ±20 %. */
export function retryDelayMs(baseMs: number, attempt: number): number {
  const jitter = 0.8 + Math.random() * 0.4;
  return Math.round(Math.min(baseMs * 4 ** (attempt - 1), maxRetryDelayMs) * jitter);
}
