import type {
  InterviewClientEventMap,
  InterviewClientOptions,
  InterviewState,
  Session,
  TranscriptEntry,
} from '../client/types.ts';

/**
 * What `<ai-interview>` needs of an `InterviewClient`: the element is a view over it, and depends on this
 * much and no more, so the element can be read (and reviewed) without the client's transport and audio.
 */
export interface InterviewClientLike extends EventTarget {
  readonly state: InterviewState;
  readonly transcript: readonly TranscriptEntry[];
  load(): Promise<Session>;
  listMicrophones(): Promise<MediaDeviceInfo[]>;
  openMicrophone(deviceId?: string): Promise<void>;
  closeMicrophone(): void;
  start(options?: { voice?: boolean }): Promise<void>;
  sendText(text: string): Promise<void>;
  setMuted(muted: boolean): void;
  end(): Promise<void>;
  retry(): Promise<void>;
  close(): void;
}

export type InterviewClientFactory = (options: InterviewClientOptions) => InterviewClientLike;

/** Adds a typed listener for one of the client's events; returns the function that removes it. */
export function listen<K extends keyof InterviewClientEventMap>(
  client: InterviewClientLike,
  type: K,
  handler: (detail: InterviewClientEventMap[K]['detail']) => void,
): () => void {
  const listener = (event: Event) => handler((event as InterviewClientEventMap[K]).detail);
  client.addEventListener(type, listener);
  return () => client.removeEventListener(type, listener);
}
