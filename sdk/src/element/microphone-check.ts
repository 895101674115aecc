import type { ReactiveControllerHost } from 'lit';
import type { InterviewClientLike } from './interview-client-like.ts';
import { ReactiveState } from './reactive-state.ts';
import { cannotCaptureVoice } from './screens/error.ts';
import type { MicrophoneStatus } from './screens/pre-check.ts';

/**
 * Reads a failure of `openMicrophone()`: refused (by the candidate or the browser), no device, or no way to
 * capture audio on this page at all (the client says so by making it not retryable).
 */
function microphoneFailure(error: unknown): 'denied' | 'unavailable' | 'unsupported' {
  const code = (error as { code?: unknown } | null)?.code;
  const name = (error as { name?: unknown } | null)?.name;
  if (cannotCaptureVoice(error as { code?: unknown; retryable?: unknown } | null)) return 'unsupported';
  if (code === 'microphone_unavailable' || name === 'NotFoundError' || name === 'OverconstrainedError') {
    return 'unavailable';
  }
  return 'denied';
}

export interface MicrophoneCheckOptions {
  /** The element's client, read afresh after each wait: it may have been replaced meanwhile. */
  client(): InterviewClientLike | null;
  /** Whether the candidate (still) answers by voice. */
  byVoice(): boolean;
  /** The microphone opened, and the device list is known. */
  ready(): void;
}

/**
 * The candidate's microphone as the element shows it: whether it is open or why not, the devices to choose
 * from, the one in use, and its input level for the meter.
 */
export class MicrophoneCheckController {
  readonly #view: ReactiveState<{
    status: MicrophoneStatus;
    devices: readonly MediaDeviceInfo[];
    deviceId: string;
    level: number;
  }>;

  constructor(
    host: ReactiveControllerHost,
    private readonly options: MicrophoneCheckOptions,
  ) {
    this.#view = new ReactiveState(host, { status: 'off', devices: [], deviceId: '', level: 0 });
  }

  get status(): MicrophoneStatus {
    return this.#view.value.status;
  }

  get devices(): readonly MediaDeviceInfo[] {
    return this.#view.value.devices;
  }

  /** The device in use; '' before the microphone opened. */
  get deviceId(): string {
    return this.#view.value.deviceId;
  }

  /** The input level, 0 to 1. */
  get level(): number {
    return this.#view.value.level;
  }

  /** Opens the microphone, `deviceId` or the browser's default, through the client. Never rejects. */
  async open(deviceId?: string): Promise<void> {
    const client = this.options.client();
    if (!client) return;
    // Another device chosen in the picker: the picker stays while it opens, so the candidate's focus does.
    if (this.status === 'ready' && deviceId) this.#view.set({ deviceId });
    else this.#view.set({ status: 'requesting' });
    try {
      await client.openMicrophone(deviceId);
      if (client !== this.options.client() || !this.options.byVoice()) return;
      const devices = await client.listMicrophones();
      this.#view.set({ devices, deviceId: deviceId ?? devices[0]?.deviceId ?? '', status: 'ready' });
      this.options.ready();
    } catch (error) {
      if (client === this.options.client()) this.failed(error);
    }
  }

  /** The microphone failed to open (here or at the start): why, as the pre-check tells it. */
  failed(error: unknown): void {
    this.#view.set({ status: microphoneFailure(error) });
  }

  close(): void {
    this.options.client()?.closeMicrophone();
    this.#view.set({ status: 'off', level: 0 });
  }

  setLevel(level: number): void {
    this.#view.set({ level });
  }

  /** Forgets the devices and the choice, for another interview; the client it was open on is gone. */
  reset(): void {
    this.#view.set({ status: 'off', devices: [], deviceId: '', level: 0 });
  }
}
