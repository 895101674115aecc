import http from 'node:http';
import { performance } from 'node:perf_hooks';

/**
 * One candidate, as the widget drives an interview over HTTP: it holds the session's event stream open
 * (`GET /v1/session/events`), starts the interview, and each time a `state` event hands it the turn, thinks
 * for a while and posts a text answer (`POST /v1/session/answers`). For each answer it times, from the
 * moment the POST is sent, the 202 and the first `interviewer.delta`, first `interviewer.audio` and
 * `interviewer.done` of the reply on the stream. Times are `performance.now()` milliseconds, taken when the
 * bytes reach this process.
 */

export interface ReplyTiming {
  /** The answer POST was handed to the socket. */
  sentAt: number;
  accepted: number | null;
  firstDelta: number | null;
  firstAudio: number | null;
  done: number | null;
  /** `timeout`: no `interviewer.done` in time; `failed`: the answer was refused or never arrived. */
  outcome: 'replied' | 'timeout' | 'failed';
}

export interface DriverOptions {
  /** The platform, e.g. http://127.0.0.1:4000. */
  url: URL;
  token: string;
  /** Event streams: one socket each for as long as the interview runs. */
  streamAgent: http.Agent;
  /** Answers and starts: a keep-alive pool shared by every driver. */
  requestAgent: http.Agent;
  answerText: string;
  /** How long the candidate thinks before each answer, in ms. */
  thinkMs: () => number;
  /** After this long without `interviewer.done`, the reply counts as an error. */
  replyTimeoutMs: number;
  /** Every answer sent, once its POST and its reply have both settled. */
  onAnswer: (timing: ReplyTiming) => void;
  /** Every failure: `kind` groups them in the report, `detail` is one example. */
  onError: (kind: string, detail: string) => void;
}

export interface Response {
  status: number;
  text: string;
}

/**
 * One request on `agent`. A keep-alive socket the server closed just as it was reused fails before the
 * request reached the server, so that case (and only that one) is retried once, as Node's docs advise.
 */
export function request(
  agent: http.Agent,
  url: URL,
  method: string,
  path: string,
  bearer: string,
  body?: unknown,
  onSent?: () => void,
): Promise<Response> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const attempt = (retry: boolean): Promise<Response> =>
    new Promise((resolve, reject) => {
      const req = http.request(
        {
          agent,
          host: url.hostname,
          port: url.port,
          method,
          path,
          headers: {
            authorization: `Bearer ${bearer}`,
            ...(payload === undefined
              ? {}
              : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
          );
          res.on('error', reject);
        },
      );
      req.on('error', (error: NodeJS.ErrnoException) => {
        if (retry && req.reusedSocket && error.code === 'ECONNRESET') resolve(attempt(false));
        else reject(error);
      });
      req.end(payload);
      onSent?.();
    });
  return attempt(true);
}

export class InterviewDriver {
  readonly #o: DriverOptions;
  #stream: http.ClientRequest | null = null;
  #closing = false;
  #answering = false;
  #stopped = false;
  /** Answers wait for `release()`; `#turnWaiting` says the turn came meanwhile. */
  #held = true;
  #turnWaiting = false;
  #think: NodeJS.Timeout | null = null;
  #replyTimer: NodeJS.Timeout | null = null;
  #reply: ReplyTiming | null = null;
  #settleReply: (() => void) | null = null;
  #buffer = '';
  /** Replies heard in full, this driver's whole life. */
  replies = 0;

  constructor(options: DriverOptions) {
    this.#o = options;
  }

  /** The interviewer has handed over the turn and the driver waits for `release()` to answer. */
  get ready(): boolean {
    return this.#turnWaiting;
  }

  /** An answer is on its way or its reply is still streaming. */
  get busy(): boolean {
    return this.#answering;
  }

  /** Opens the event stream; resolves once the platform answered 200 and the stream is flowing. */
  connect(): Promise<void> {
    if (this.#closing) return Promise.reject(new Error('the driver is closed'));
    return new Promise((resolve, reject) => {
      const { url, token } = this.#o;
      const req = http.get(
        {
          agent: this.#o.streamAgent,
          host: url.hostname,
          port: url.port,
          path: '/v1/session/events',
          headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' },
        },
        (res) => {
          if (res.statusCode !== 200) {
            res.resume();
            reject(new Error(`GET /v1/session/events answered ${res.statusCode}`));
            return;
          }
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => this.#receive(chunk, performance.now()));
          res.on('close', () => {
            if (!this.#closing)
              this.#o.onError('event stream closed by the platform', 'GET /v1/session/events');
          });
          resolve();
        },
      );
      req.on('error', (error: NodeJS.ErrnoException) => {
        if (this.#closing) return;
        if (this.#stream === req) this.#o.onError(`event stream ${error.code ?? 'error'}`, error.message);
        reject(error);
      });
      this.#stream = req;
    });
  }

  async start(): Promise<void> {
    const res = await request(this.#o.requestAgent, this.#o.url, 'POST', '/v1/session/start', this.#o.token);
    if (res.status !== 200) throw new Error(`POST /v1/session/start answered ${res.status}: ${res.text}`);
  }

  /**
   * Lets the candidate answer from now on (drivers start held, so a level's load begins all at once), the
   * first time after `firstPauseMs` rather than a whole think, so that a level's answers arrive at their
   * steady rate from the start instead of in a first wave.
   */
  release(firstPauseMs?: number): void {
    this.#held = false;
    if (this.#turnWaiting) this.#scheduleAnswer(firstPauseMs);
  }

  /** No new answers from now on; a reply already on its way still completes. */
  stopAnswering(): void {
    this.#stopped = true;
    if (this.#think) clearTimeout(this.#think);
    this.#think = null;
  }

  close(): void {
    this.#closing = true;
    this.stopAnswering();
    if (this.#replyTimer) clearTimeout(this.#replyTimer);
    this.#stream?.destroy();
  }

  #receive(chunk: string, at: number): void {
    this.#buffer += chunk;
    let end = this.#buffer.indexOf('\n\n');
    while (end >= 0) {
      this.#event(this.#buffer.slice(0, end), at);
      this.#buffer = this.#buffer.slice(end + 2);
      end = this.#buffer.indexOf('\n\n');
    }
  }

  /** One event block. Only `state`, `error` and `interview.completed` need their data parsed. */
  #event(block: string, at: number): void {
    const eventAt = block.indexOf('event: ');
    if (eventAt < 0) return; // the retry line, a heartbeat comment
    const type = block.slice(eventAt + 7, block.indexOf('\n', eventAt));
    const reply = this.#reply;
    switch (type) {
      case 'interviewer.delta':
        if (reply && reply.firstDelta === null) reply.firstDelta = at;
        return;
      case 'interviewer.audio':
        if (reply && reply.firstAudio === null) reply.firstAudio = at;
        return;
      case 'interviewer.done':
        if (reply) this.#finishReply(reply, at);
        return;
      case 'state': {
        const data = this.#data<{ status: string; turn: string }>(block);
        if (data?.status === 'in_progress' && data.turn === 'candidate') this.#scheduleAnswer();
        return;
      }
      case 'error': {
        const data = this.#data<{ code: string; message: string }>(block);
        this.#o.onError(`error event ${data?.code ?? '?'}`, data?.message ?? block);
        return;
      }
      case 'interview.completed': {
        const data = this.#data<{ reason: string }>(block);
        if (!this.#closing) this.#o.onError('interview completed during the bench', data?.reason ?? block);
        this.close();
        return;
      }
    }
  }

  #data<T>(block: string): T | null {
    const dataAt = block.indexOf('data: ');
    if (dataAt < 0) return null;
    const lineEnd = block.indexOf('\n', dataAt);
    try {
      return JSON.parse(block.slice(dataAt + 6, lineEnd < 0 ? undefined : lineEnd)) as T;
    } catch {
      return null;
    }
  }

  #scheduleAnswer(pauseMs?: number): void {
    if (this.#stopped || this.#closing || this.#answering || this.#think) return;
    if (this.#held) {
      this.#turnWaiting = true;
      return;
    }
    this.#turnWaiting = false;
    this.#think = setTimeout(() => {
      this.#think = null;
      this.#answer();
    }, pauseMs ?? this.#o.thinkMs());
  }

  #answer(): void {
    if (this.#stopped || this.#closing) return;
    const reply: ReplyTiming = {
      sentAt: 0,
      accepted: null,
      firstDelta: null,
      firstAudio: null,
      done: null,
      outcome: 'replied',
    };
    // Reported once both the POST and the reply are settled, whichever comes last.
    let pending = 2;
    const settled = (): void => {
      pending -= 1;
      if (pending === 0) this.#o.onAnswer(reply);
    };
    this.#reply = reply;
    this.#settleReply = settled;
    this.#answering = true;
    this.#replyTimer = setTimeout(() => {
      if (this.#reply !== reply) return;
      this.#o.onError('reply timeout', `no interviewer.done ${this.#o.replyTimeoutMs} ms after the answer`);
      reply.outcome = 'timeout';
      this.#endReply();
    }, this.#o.replyTimeoutMs);
    const { requestAgent, url, token, answerText } = this.#o;
    const failed = (kind: string, detail: string): void => {
      this.#o.onError(kind, detail);
      reply.outcome = 'failed';
      if (this.#reply === reply) {
        this.#endReply();
        // The turn is still the candidate's: try again after another pause rather than fall silent.
        this.#scheduleAnswer();
      }
      settled();
    };
    request(requestAgent, url, 'POST', '/v1/session/answers', token, { text: answerText }, () => {
      reply.sentAt = performance.now();
    }).then(
      (res) => {
        if (res.status !== 202) {
          failed(`POST /v1/session/answers ${res.status}`, res.text.slice(0, 300));
          return;
        }
        reply.accepted = performance.now();
        settled();
      },
      (error: NodeJS.ErrnoException) =>
        failed(`POST /v1/session/answers ${error.code ?? 'error'}`, error.message),
    );
  }

  #finishReply(reply: ReplyTiming, at: number): void {
    reply.done = at;
    if (reply.firstDelta === null)
      this.#o.onError('reply without interviewer.delta', 'interviewer.done came first');
    if (reply.firstAudio === null)
      this.#o.onError('reply without interviewer.audio', 'no speech in the reply');
    this.replies += 1;
    this.#endReply();
  }

  /** The reply is over: heard in full, timed out, or never coming (its answer failed). */
  #endReply(): void {
    if (this.#replyTimer) clearTimeout(this.#replyTimer);
    this.#replyTimer = null;
    this.#reply = null;
    this.#answering = false;
    const settled = this.#settleReply;
    this.#settleReply = null;
    settled?.();
  }
}
