/**
 * A streaming resampler for 16-bit mono PCM: windowed-sinc interpolation (Blackman window, 8 zero crossings
 * each side) with the cut-off lowered below the output's Nyquist frequency when downsampling, so 48 kHz
 * WebRTC audio becomes 16 kHz speech-to-text input without aliasing. Frames of any length go in; output
 * comes out as soon as the filter has the input it needs (a lag of under a millisecond), and state carries
 * across frames, so cutting the stream differently gives the same samples.
 */

const zeroCrossings = 8;
// Just under the Nyquist frequency: the transition band of a short filter must end before it.
const cutoffRatio = 0.92;
// Above this many phases a table would cost more memory than it saves time; odd ratios compute on the fly.
const maxTablePhases = 2048;

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

export class Resampler {
  readonly inputRate: number;
  readonly outputRate: number;
  /** Output samples per `step` input samples: output n sits at input position n * step / phases. */
  readonly #phases: number;
  readonly #step: number;
  readonly #halfWidth: number;
  readonly #cutoff: number;
  readonly #table: Float64Array[] | null;
  /** Input not yet fully used, as floats; `#bufferStart` is the absolute index of its first sample. */
  #buffer = new Float64Array(0);
  #bufferStart = 0;
  #received = 0;
  #nextOutput = 0;

  constructor(inputRate: number, outputRate: number) {
    this.inputRate = inputRate;
    this.outputRate = outputRate;
    const divisor = gcd(inputRate, outputRate);
    this.#phases = outputRate / divisor;
    this.#step = inputRate / divisor;
    const scale = Math.min(1, outputRate / inputRate);
    this.#cutoff = 0.5 * scale * cutoffRatio;
    // Downsampling widens the filter (in input samples) to keep its zero crossings at the output's rate.
    this.#halfWidth = Math.ceil(zeroCrossings / scale);
    this.#table =
      this.#phases <= maxTablePhases
        ? Array.from({ length: this.#phases }, (_, phase) => this.#kernel(phase / this.#phases))
        : null;
  }

  get passthrough(): boolean {
    return this.inputRate === this.outputRate;
  }

  push(input: Int16Array): Int16Array {
    if (this.passthrough) return input.slice();
    const merged = new Float64Array(this.#buffer.length + input.length);
    merged.set(this.#buffer);
    for (let i = 0; i < input.length; i++) merged[this.#buffer.length + i] = input[i]!;
    this.#buffer = merged;
    this.#received += input.length;
    return this.#drain(this.#received);
  }

  /** The end of the stream: the last output samples, as if silence followed. */
  flush(): Int16Array {
    if (this.passthrough) return new Int16Array(0);
    const padding = new Float64Array(this.#halfWidth + 1);
    const merged = new Float64Array(this.#buffer.length + padding.length);
    merged.set(this.#buffer);
    this.#buffer = merged;
    const end = this.#received;
    this.#received += padding.length;
    // Only the outputs that fall inside the real input.
    const out: number[] = [];
    const produced = this.#drain(this.#received);
    const lastOutput = Math.floor(((end - 1) * this.#phases) / this.#step);
    const firstProduced = this.#nextOutput - produced.length;
    for (let i = 0; i < produced.length && firstProduced + i <= lastOutput; i++) out.push(produced[i]!);
    return Int16Array.from(out);
  }

  /** Every output sample whose filter window ends before `available` input samples. */
  #drain(available: number): Int16Array {
    const out: number[] = [];
    for (;;) {
      const position = this.#nextOutput * this.#step;
      const whole = Math.floor(position / this.#phases);
      const phase = position - whole * this.#phases;
      const last = whole + this.#halfWidth;
      if (last >= available) break;
      const kernel = this.#table?.[phase] ?? this.#kernel(phase / this.#phases);
      const first = whole - this.#halfWidth + 1;
      let sum = 0;
      for (let k = 0; k < kernel.length; k++) {
        const index = first + k - this.#bufferStart;
        if (index >= 0) sum += this.#buffer[index]! * kernel[k]!;
      }
      out.push(Math.max(-32768, Math.min(32767, Math.round(sum))));
      this.#nextOutput += 1;
    }
    // Keep only what the next output's window still reaches.
    const nextWhole = Math.floor((this.#nextOutput * this.#step) / this.#phases);
    const keepFrom = Math.max(this.#bufferStart, nextWhole - this.#halfWidth + 1);
    if (keepFrom > this.#bufferStart) {
      this.#buffer = this.#buffer.slice(keepFrom - this.#bufferStart);
      this.#bufferStart = keepFrom;
    }
    return Int16Array.from(out);
  }

  /** The filter's taps for an output at `fraction` past an input sample, normalised to unity gain. */
  #kernel(fraction: number): Float64Array {
    const taps = new Float64Array(this.#halfWidth * 2);
    let total = 0;
    for (let k = 0; k < taps.length; k++) {
      const x = k - this.#halfWidth + 1 - fraction;
      const t = 2 * this.#cutoff * x;
      const sinc = t === 0 ? 1 : Math.sin(Math.PI * t) / (Math.PI * t);
      const w = x / this.#halfWidth;
      const window =
        Math.abs(w) >= 1 ? 0 : 0.42 + 0.5 * Math.cos(Math.PI * w) + 0.08 * Math.cos(2 * Math.PI * w);
      taps[k] = sinc * window;
      total += taps[k]!;
    }
    for (let k = 0; k < taps.length; k++) taps[k] = taps[k]! / total;
    return taps;
  }
}
