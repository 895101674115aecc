import { fixture, html, waitUntil } from '@open-wc/testing';
import { executeServerCommand } from '@web/test-runner-commands';
import type { InterviewState } from '../../src/client/types.ts';
import type AiInterview from '../../src/element/ai-interview.component.ts';
import '../../src/element/ai-interview.ts';
import type { ProxyAction, SessionFixture } from '../support/protocol.ts';

export type { SessionFixture };

/** A fresh test-mode interview (offline interviewer, two questions) and its session token, from the platform. */
export function newSession(request: Record<string, unknown> = {}): Promise<SessionFixture> {
  return executeServerCommand<SessionFixture, Record<string, unknown>>('viva-session', request);
}

/** Breaks the network between the page and the platform (a session made with `proxy: true`), or mends it. */
export function proxy(session: SessionFixture, action: ProxyAction): Promise<unknown> {
  return executeServerCommand('viva-proxy', { proxyId: session.proxyId, ...action });
}

export interface TranscriptTurn {
  speaker: 'interviewer' | 'candidate';
  kind: string;
  text: string;
  question_index: number | null;
}

/** The interview's transcript as the ATS reads it, with its secret key, on the server. */
export function serverTranscript(interviewId: string): Promise<{ status: string; turns: TranscriptTurn[] }> {
  return executeServerCommand('viva-transcript', { interviewId });
}

/** The interview as the ATS reads it. */
export function serverInterview(
  interviewId: string,
): Promise<{ status: string; completion_reason?: string }> {
  return executeServerCommand('viva-interview', { interviewId });
}

/** An `<ai-interview>` on a fresh session, with the given attributes. */
export async function interviewFixture(
  session: SessionFixture,
  attributes: Record<string, string | boolean> = {},
): Promise<AiInterview> {
  const element = await fixture<AiInterview>(html`<ai-interview></ai-interview>`);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false) continue;
    element.setAttribute(name, value === true ? '' : value);
  }
  element.apiBase = session.apiBase;
  element.sessionToken = session.token;
  return element;
}

/** Types an answer into the answer box and sends it, as the candidate does. */
export async function typeAnswer(element: AiInterview, text: string): Promise<void> {
  const input = part<HTMLTextAreaElement>(element, 'answer-input');
  input.value = text;
  input.dispatchEvent(new Event('input'));
  await element.updateComplete;
  part<HTMLButtonElement>(element, 'send-button').click();
}

/** The element's node with this `part`, inside its shadow root. */
export function part<T extends HTMLElement = HTMLElement>(element: AiInterview, name: string): T {
  const node = element.shadowRoot!.querySelector<T>(`[part~="${name}"]`);
  if (!node)
    throw new Error(`no [part~="${name}"] on the ${screen(element)} screen:\n${visibleText(element)}`);
  return node;
}

export function maybePart<T extends HTMLElement = HTMLElement>(element: AiInterview, name: string): T | null {
  return element.shadowRoot!.querySelector<T>(`[part~="${name}"]`);
}

/** The screen shown: loading, starting, pre-check, live, completed or error. */
export function screen(element: AiInterview): string {
  return element.shadowRoot?.querySelector<HTMLElement>('[part~="base"]')?.dataset.screen ?? '(not rendered)';
}

/** The visible text of the element, for failure messages that explain themselves. */
export function visibleText(element: AiInterview): string {
  const base = element.shadowRoot?.querySelector<HTMLElement>('[part~="base"]');
  // biome-ignore lint/performance/useDomNodeTextContent: the rendered text, as the candidate reads it.
  return (base?.innerText ?? '').replace(/\n{2,}/g, '\n').trim();
}

export async function untilScreen(element: AiInterview, wanted: string, timeout = 15_000): Promise<void> {
  await waitUntil(() => screen(element) === wanted, `expected the ${wanted} screen`, {
    timeout,
    interval: 25,
  }).catch(() => {
    throw new Error(`expected the ${wanted} screen, still on ${screen(element)}:\n${visibleText(element)}`);
  });
  await element.updateComplete;
}

export async function until(predicate: () => boolean, what: string, element: AiInterview, timeout = 15_000) {
  await waitUntil(predicate, what, { timeout, interval: 25 }).catch(() => {
    throw new Error(
      `timed out waiting for ${what}, on the ${screen(element)} screen:\n${visibleText(element)}`,
    );
  });
  await element.updateComplete;
}

/** The element focused inside the shadow root. */
export function focused(element: AiInterview): HTMLElement | null {
  return element.shadowRoot!.activeElement as HTMLElement | null;
}

/**
 * The `part` (else the id or tag) of what has focus inside the element. Tests compare these strings, not
 * nodes: chai's message for two unequal DOM nodes can take the browser down.
 */
export function focusedPart(element: AiInterview): string {
  const node = focused(element);
  return node?.getAttribute('part') ?? (node?.id || node?.tagName) ?? '(nothing)';
}

const states = new WeakMap<EventTarget, InterviewState>();
// Every element's events reach the document (they bubble and are composed).
document.addEventListener('interview-state', (event) => {
  if (event.target) states.set(event.target, event.detail);
});

/** The last state the element reported (`interview-state`). */
export function lastState(element: AiInterview): InterviewState | undefined {
  return states.get(element);
}

/** Waits until it is the candidate's turn to answer. */
export function untilCandidateTurn(element: AiInterview): Promise<void> {
  return until(() => lastState(element)?.turn === 'candidate', "the candidate's turn", element);
}

/** Twelve words or more: the offline interviewer moves on to the next question without a follow-up. */
export const longAnswer =
  'I built an accessible date picker for our design system with full keyboard support and tests.';
