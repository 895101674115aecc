import type { Logger } from 'pino';
import type { SpeechFormat, TextToSpeech } from '../providers/providers.ts';
import { sentences } from '../providers/sentences.ts';
import type { SessionEventBus } from '../sessions/session-events.ts';
import { AsyncQueue } from './async-queue.ts';
import { DeltaPublisher } from './delta-publisher.ts';
import type { InterviewBrief, Interviewer, Move, PastTurn, SpokenTurn } from './interviewer.ts';

export interface SpeakTurnOptions {
  interviewer: Interviewer;
  /** Speaks instead when the interviewer fails before saying anything, so a provider outage can't stall the interview. */
  fallback: Interviewer;
  brief: InterviewBrief;
  history: PastTurn[];
  move: Move;
  turnId: string;
  voice: string;
  bus: SessionEventBus;
  interviewId: string;
  textToSpeech: TextToSpeech | null;
  logger: Logger;
  /**
   * The turn's deadline: the model's and speech's requests are aborted when it fires. A model that has
   * written nothing by then gives way to the fallback; one cut off mid-reply fails the turn; speech cut off
   * leaves the turn to its captions.
   */
  signal?: AbortSignal;
  /**
   * Abandons the turn (its instance is stopping): its requests are aborted as at the deadline, but nothing
   * stands in for it and it fails, so that it is generated whole where the candidate reconnects.
   */
  cancel?: AbortSignal;
}

export interface SpokenResult {
  text: string;
  kind: Awaited<ReturnType<SpokenTurn['kind']>>;
  tokens: number;
  startedAt: Date;
  audio: { bytes: Buffer; contentType: string } | null;
}

const contentTypes: Record<SpeechFormat, string> = {
  mp3: 'audio/mpeg',
  opus: 'audio/ogg',
  aac: 'audio/aac',
  flac: 'audio/flac',
  wav: 'audio/wav',
  pcm: 'audio/pcm',
};

/**
 * Streams one interviewer turn: its text goes out as it arrives (see DeltaPublisher), and its first sentence
 * goes to text-to-speech the moment it is complete, so the first audio leaves while the model is still
 * writing; later sentences follow as speech takes them (see speechRequests).
 */
export async function speakTurn(o: SpeakTurnOptions): Promise<SpokenResult> {
  const startedAt = new Date();
  const signals = [o.signal, o.cancel].filter((signal) => signal !== undefined);
  const signal = signals.length > 0 ? AbortSignal.any(signals) : undefined;
  let spoken = o.interviewer.speak(o.brief, o.history, o.move, signal);
  const said = { text: '' };
  const forSpeech = new AsyncQueue<string>();
  const speech = o.textToSpeech
    ? synthesize(o, o.textToSpeech, speechRequests(sentences(forSpeech)), signal)
    : Promise.resolve(null);
  let wasted = 0;
  try {
    try {
      await relay(o, spoken, forSpeech, said);
      if (said.text.trim() === '') {
        // No words at all (a reasoning model can spend its whole token limit thinking): committed, an empty
        // turn would skip a question or close the interview. It was paid for, so its tokens still count.
        const usage = await spoken.usage();
        wasted = usage.promptTokens + usage.completionTokens;
        throw new Error('The model replied with no text.');
      }
    } catch (error) {
      // Once part of the turn is out, another voice can't finish it: the turn fails and is tried again whole.
      if (said.text.trim() !== '' || o.cancel?.aborted) throw error;
      o.logger.warn(
        { err: error, interview_id: o.interviewId },
        'interviewer failed; the offline interviewer speaks this turn',
      );
      spoken = o.fallback.speak(o.brief, o.history, o.move);
      await relay(o, spoken, forSpeech, said);
    }
  } finally {
    forSpeech.close();
  }
  const [kind, usage, audio] = await Promise.all([spoken.kind(), spoken.usage(), speech]);
  // Speech cut off by the cancel is no reason to commit the turn without its voice.
  o.cancel?.throwIfAborted();
  return {
    text: said.text.trim(),
    kind,
    tokens: wasted + usage.promptTokens + usage.completionTokens,
    startedAt,
    audio,
  };
}

/** Sends the interviewer's text to the candidate and to speech; `said` holds what went out, even on failure. */
async function relay(
  o: SpeakTurnOptions,
  spoken: SpokenTurn,
  forSpeech: AsyncQueue<string>,
  said: { text: string },
): Promise<void> {
  const deltas = new DeltaPublisher((piece) =>
    o.bus.publish(o.interviewId, { type: 'interviewer.delta', data: { turn_id: o.turnId, text: piece } }),
  );
  for await (const delta of spoken.text) {
    said.text += delta;
    forSpeech.push(delta);
    deltas.push(delta);
  }
  await deltas.flush();
}

/**
 * The text of each speech request: the first sentence alone, so the first audio comes as soon as it can;
 * after it, every sentence complete by the time the previous request ends, together. A model writing faster
 * than speech is made (the usual case) then costs a few requests a turn rather than one per sentence, and
 * the voice carries on across those sentences as one utterance.
 */
async function* speechRequests(sentenceStream: AsyncIterable<string>): AsyncIterable<string> {
  const ready = new AsyncQueue<string>();
  void (async () => {
    try {
      for await (const sentence of sentenceStream) ready.push(sentence);
    } finally {
      ready.close();
    }
  })();
  let first = true;
  for await (const sentence of ready) {
    yield first ? sentence : [sentence, ...ready.takeBuffered()].join(' ');
    first = false;
  }
}

async function synthesize(
  o: SpeakTurnOptions,
  tts: TextToSpeech,
  requests: AsyncIterable<string>,
  signal: AbortSignal | undefined,
): Promise<{ bytes: Buffer; contentType: string } | null> {
  const chunks: Buffer[] = [];
  let seq = 0;
  try {
    for await (const text of requests) {
      for await (const chunk of tts.synthesize(text, {
        voice: o.voice,
        ...(signal ? { signal } : {}),
      })) {
        chunks.push(chunk);
        await o.bus.publish(o.interviewId, {
          type: 'interviewer.audio',
          data: { turn_id: o.turnId, seq, format: tts.format, data: chunk.toString('base64') },
        });
        seq += 1;
      }
    }
  } catch (error) {
    // Captions carry the turn without voice; the candidate can still read and answer.
    o.logger.warn({ err: error, interview_id: o.interviewId }, 'text-to-speech failed for this turn');
  }
  return chunks.length > 0 ? { bytes: Buffer.concat(chunks), contentType: contentTypes[tts.format] } : null;
}
