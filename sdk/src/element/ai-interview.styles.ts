import { css } from 'lit';

// The dark defaults, applied by `theme="dark"`, and by `theme="auto"` when the system prefers dark.
const darkTokens = css`
  --ai-interview-color-primary: #a5b4fc;
  --ai-interview-color-on-primary: #1e1b4b;
  --ai-interview-color-surface: #15171c;
  --ai-interview-color-text: #e6e8eb;
  --ai-interview-color-muted: #a2aab5;
  --ai-interview-color-danger: #fda4a4;
  --ai-interview-color-on-danger: #3b0a0a;
  --ai-interview-color-border: #7d8590;
  color-scheme: dark;
`;

// Comments on the rules are here, not in the style sheet, whose text goes into the bundle as it is written.
//
// The host page's text styles stop at the host: `:host` resets what an ancestor would hand down (a centred,
// upper-case, spaced or italic section), so the widget is set as designed wherever it sits. Rules on the
// element itself and on its parts come from outside and still win.
//
// Sizes are in `em`, not `rem`: they follow the widget's own font size (`--ai-interview-font-size`), not the
// page's root, which some pages set to 62.5%; controls are `max(2.75em, 44px)` tall, a touch target however
// small the fonts. The container query's `30em` is in the host's font size too. A length in a custom property
// is resolved where it is used, so an element with a font size of its own sizes its box in its own `em`:
// - the avatar's initial is 0.4 of `--_avatar`, and the avatar 2.5 of its initial (all of `--_avatar`); at full
//   voice its ring grows by an eighth of the avatar (0.3125 of the initial);
// - the badge's mark is 1.75 of the base size and the badge twice its mark;
// - the checkbox takes the label's font (a form control has a smaller one of its own);
// - the footer's text is smaller inside its slot, so its padding stays in the base unit.
export default css`
  :host {
    --ai-interview-color-primary: #4338ca;
    --ai-interview-color-on-primary: #ffffff;
    --ai-interview-color-surface: #ffffff;
    --ai-interview-color-text: #1b1f24;
    --ai-interview-color-muted: #57606a;
    --ai-interview-color-danger: #b42318;
    --ai-interview-color-on-danger: #ffffff;
    --ai-interview-color-border: #7d8590;
    --ai-interview-color-focus: var(--ai-interview-color-primary);
    --ai-interview-font-family:
      system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', 'Helvetica Neue', Arial, sans-serif;
    --ai-interview-font-size: 1rem;
    --ai-interview-radius: 0.75em;
    --ai-interview-spacing: 1em;
    --ai-interview-max-width: 44em;

    display: block;
    container-type: inline-size;
    color-scheme: light;
    font-family: var(--ai-interview-font-family);
    font-size: var(--ai-interview-font-size);
    line-height: 1.5;
    font-style: normal;
    font-weight: 400;
    font-variant: normal;
    font-stretch: normal;
    text-align: start;
    text-indent: 0;
    text-transform: none;
    text-shadow: none;
    letter-spacing: normal;
    word-spacing: normal;
    white-space: normal;
    word-break: normal;
    overflow-wrap: normal;
    hyphens: manual;
  }

  :host([theme='dark']) {
    ${darkTokens}
  }

  @media (prefers-color-scheme: dark) {
    :host(:not([theme='light'])) {
      ${darkTokens}
    }
  }

  :host([hidden]) {
    display: none;
  }

  *,
  *::before,
  *::after {
    box-sizing: border-box;
  }

  [hidden] {
    display: none !important;
  }

  :focus-visible {
    outline: 3px solid var(--ai-interview-color-focus);
    outline-offset: 2px;
  }

  .visually-hidden {
    position: absolute !important;
    inline-size: 1px;
    block-size: 1px;
    padding: 0;
    margin: -1px;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
    border: 0;
  }

  /* Layout */

  .interview {
    --_gap: var(--ai-interview-spacing);
    --_tint: color-mix(in srgb, var(--ai-interview-color-text) 6%, var(--ai-interview-color-surface));
    --_line: color-mix(in srgb, var(--ai-interview-color-text) 16%, var(--ai-interview-color-surface));
    --_avatar: 6em;
    --_captions-height: 18em;

    display: flex;
    flex-direction: column;
    position: relative;
    max-inline-size: var(--ai-interview-max-width);
    min-block-size: 28em;
    margin-inline: auto;
    overflow: hidden;
    color: var(--ai-interview-color-text);
    background: var(--ai-interview-color-surface);
    border: 1px solid var(--_line);
    border-radius: var(--ai-interview-radius);
  }

  :host([layout='compact']) .interview {
    --_gap: calc(var(--ai-interview-spacing) * 0.75);
    --_avatar: 3.5em;
    --_captions-height: 11em;
    min-block-size: 0;
  }

  .header {
    display: flex;
    align-items: center;
    gap: calc(var(--_gap) * 0.75);
    padding: calc(var(--_gap) * 0.75) var(--_gap);
    border-block-end: 1px solid var(--_line);
  }

  .logo {
    display: flex;
    flex: none;
    align-items: center;
  }

  .logo img,
  .logo ::slotted(img) {
    display: block;
    max-block-size: 2.25em;
    max-inline-size: 8em;
    object-fit: contain;
  }

  .title {
    display: flex;
    flex-direction: column;
    min-inline-size: 0;
  }

  .title__job {
    font-weight: 700;
    overflow-wrap: anywhere;
  }

  .title__company {
    color: var(--ai-interview-color-muted);
    font-size: 0.875em;
  }

  .body {
    display: flex;
    flex: 1;
    flex-direction: column;
    padding: var(--_gap);
  }

  .footer {
    padding: calc(var(--_gap) * 0.75) var(--_gap);
    border-block-start: 1px solid var(--_line);
    color: var(--ai-interview-color-muted);
  }

  .footer slot {
    font-size: 0.875em;
  }

  .screen {
    display: flex;
    flex: 1;
    flex-direction: column;
    gap: var(--_gap);
  }

  h2,
  h3 {
    margin: 0;
    line-height: 1.25;
  }

  h2 {
    font-size: 1.375em;
  }

  h3 {
    font-size: 1em;
  }

  h2:focus,
  .screen:focus {
    outline: none;
  }

  p {
    margin: 0;
  }

  .muted {
    color: var(--ai-interview-color-muted);
  }

  .panel {
    display: flex;
    flex-direction: column;
    gap: calc(var(--_gap) * 0.5);
    padding: var(--_gap);
    background: var(--_tint);
    border-radius: var(--ai-interview-radius);
  }

  .actions {
    display: flex;
    flex-wrap: wrap;
    gap: calc(var(--_gap) * 0.5);
    justify-content: flex-end;
    align-items: center;
  }

  /* Controls */

  .button {
    display: inline-flex;
    align-items: center;
    justify-content: center;
    gap: 0.5em;
    min-block-size: max(2.75em, 44px);
    padding-block: 0.5em;
    padding-inline: 1.25em;
    font: inherit;
    font-weight: 600;
    line-height: 1.25;
    color: var(--ai-interview-color-text);
    background: transparent;
    border: 2px solid var(--ai-interview-color-border);
    border-radius: var(--ai-interview-radius);
    cursor: pointer;
    transition:
      background-color 120ms ease,
      filter 120ms ease;
  }

  .button:hover:not(:disabled) {
    background-color: var(--_tint);
  }

  .button--primary {
    color: var(--ai-interview-color-on-primary);
    background: var(--ai-interview-color-primary);
    border-color: var(--ai-interview-color-primary);
  }

  .button--primary:hover:not(:disabled) {
    background: var(--ai-interview-color-primary);
    filter: brightness(1.08);
  }

  .button--danger {
    color: var(--ai-interview-color-on-danger);
    background: var(--ai-interview-color-danger);
    border-color: var(--ai-interview-color-danger);
  }

  .button--danger:hover:not(:disabled) {
    background: var(--ai-interview-color-danger);
    filter: brightness(1.08);
  }

  .button--danger-outline {
    color: var(--ai-interview-color-danger);
    border-color: var(--ai-interview-color-danger);
  }

  .button[aria-pressed='true'] {
    color: var(--ai-interview-color-on-primary);
    background: var(--ai-interview-color-primary);
    border-color: var(--ai-interview-color-primary);
  }

  .button:disabled {
    cursor: not-allowed;
    opacity: 0.55;
  }

  .link-button {
    align-self: flex-start;
    min-block-size: max(2.75em, 44px);
    padding: 0;
    font: inherit;
    color: var(--ai-interview-color-primary);
    text-decoration: underline;
    text-underline-offset: 0.2em;
    background: none;
    border: none;
    cursor: pointer;
  }

  select,
  textarea {
    inline-size: 100%;
    font: inherit;
    color: var(--ai-interview-color-text);
    background: var(--ai-interview-color-surface);
    border: 2px solid var(--ai-interview-color-border);
    border-radius: calc(var(--ai-interview-radius) * 0.66);
  }

  select {
    min-block-size: max(2.75em, 44px);
    padding-inline: 0.75em;
  }

  textarea {
    display: block;
    min-block-size: 5.5em;
    padding: 0.625em 0.75em;
    resize: vertical;
  }

  textarea::placeholder {
    color: var(--ai-interview-color-muted);
    opacity: 1;
  }

  select:focus-visible,
  textarea:focus-visible {
    outline-offset: 0;
    border-color: var(--ai-interview-color-focus);
  }

  label {
    font-weight: 600;
  }

  .field-error {
    color: var(--ai-interview-color-danger);
    font-weight: 600;
  }

  /* Loading */

  .screen--loading {
    align-items: center;
    justify-content: center;
    text-align: center;
  }

  .spinner {
    inline-size: 2.5em;
    block-size: 2.5em;
    border: 4px solid var(--_line);
    border-block-start-color: var(--ai-interview-color-primary);
    border-radius: 50%;
    animation: spin 900ms linear infinite;
  }

  .spinner--small {
    inline-size: 1.25em;
    block-size: 1.25em;
    border-width: 3px;
    flex: none;
  }

  @keyframes spin {
    to {
      transform: rotate(360deg);
    }
  }

  /* Pre-check */

  .consent__text {
    white-space: pre-line;
  }

  .checkbox {
    display: flex;
    gap: 0.625em;
    align-items: flex-start;
    cursor: pointer;
  }

  .checkbox input {
    flex: none;
    font: inherit;
    inline-size: 1.25em;
    block-size: 1.25em;
    margin: 0.15em 0 0;
    accent-color: var(--ai-interview-color-primary);
  }

  .level-meter {
    position: relative;
    block-size: 0.75em;
    overflow: hidden;
    background: var(--ai-interview-color-surface);
    border: 1px solid var(--ai-interview-color-border);
    border-radius: 999px;
  }

  .level-meter__fill {
    position: absolute;
    inset-block: 0;
    inset-inline-start: 0;
    inline-size: var(--level, 0%);
    background: var(--ai-interview-color-primary);
    transition: inline-size 60ms linear;
  }

  /* Live */

  .status-bar {
    display: flex;
    flex-wrap: wrap;
    gap: calc(var(--_gap) * 0.5) var(--_gap);
    justify-content: space-between;
    align-items: baseline;
    color: var(--ai-interview-color-muted);
    font-weight: 600;
  }

  .timer__value {
    color: var(--ai-interview-color-text);
    font-variant-numeric: tabular-nums;
    margin-inline-start: 0.375em;
  }

  .visual {
    display: flex;
    flex-direction: column;
    gap: calc(var(--_gap) * 0.75);
    align-items: center;
    text-align: center;
  }

  :host([layout='compact']) .visual {
    flex-direction: row;
    text-align: start;
  }

  .visual__avatar {
    position: relative;
    display: grid;
    flex: none;
    place-items: center;
    font-size: calc(var(--_avatar) * 0.4);
    inline-size: 2.5em;
    block-size: 2.5em;
    font-weight: 700;
    line-height: 1;
    color: var(--ai-interview-color-on-primary);
    background: var(--ai-interview-color-primary);
    border-radius: 50%;
  }

  .visual__ring {
    position: absolute;
    inset: 0;
    border: 3px solid var(--ai-interview-color-primary);
    border-radius: 50%;
    opacity: 0;
  }

  .visual[data-speaking='interviewer'] .visual__ring {
    animation: pulse 1.4s ease-out infinite;
  }

  .visual[data-speaking='interviewer'] .visual__ring--late {
    animation-delay: 0.7s;
  }

  .visual[data-speaking='candidate'] .visual__avatar {
    color: var(--ai-interview-color-primary);
    background: var(--ai-interview-color-surface);
    box-shadow: inset 0 0 0 3px var(--ai-interview-color-primary);
  }

  .visual[data-speaking='candidate'] .visual__ring {
    opacity: 1;
    inset: calc(var(--candidate-level, 0) * -0.3125em);
    transition: inset 80ms linear;
  }

  @keyframes pulse {
    from {
      transform: scale(1);
      opacity: 0.7;
    }
    to {
      transform: scale(1.55);
      opacity: 0;
    }
  }

  .visual__status {
    font-weight: 600;
  }

  .captions {
    display: flex;
    flex-direction: column;
    gap: 0.625em;
    min-block-size: 5em;
    max-block-size: var(--_captions-height);
    padding: 0.75em;
    overflow-y: auto;
    background: var(--_tint);
    border-radius: var(--ai-interview-radius);
  }

  .caption {
    max-inline-size: 100%;
    overflow-wrap: anywhere;
  }

  .caption__text {
    white-space: pre-wrap;
  }

  .caption__speaker {
    display: block;
    font-size: 0.8125em;
    font-weight: 700;
    color: var(--ai-interview-color-muted);
  }

  .caption[data-speaker='candidate'] {
    align-self: flex-end;
    padding: 0.5em 0.75em;
    background: var(--ai-interview-color-surface);
    border-radius: var(--ai-interview-radius);
  }

  .answer {
    display: grid;
    grid-template-columns: 1fr auto;
    gap: 0.375em calc(var(--_gap) * 0.5);
    align-items: end;
  }

  .answer label,
  .answer .answer__hint {
    grid-column: 1 / -1;
  }

  .answer__hint {
    font-size: 0.875em;
  }

  .controls {
    display: flex;
    flex-wrap: wrap;
    gap: calc(var(--_gap) * 0.5);
    justify-content: flex-end;
    margin-block-start: auto;
  }

  .end-confirm {
    border: 2px solid var(--ai-interview-color-danger);
  }

  .banner {
    display: flex;
    gap: 0.75em;
    align-items: center;
    margin: var(--_gap) var(--_gap) 0;
    padding: 0.75em var(--_gap);
    color: var(--ai-interview-color-text);
    background: var(--_tint);
    border-inline-start: 4px solid var(--ai-interview-color-primary);
    border-radius: var(--ai-interview-radius);
  }

  /* Completed and error */

  .screen--completed,
  .screen--error {
    align-items: center;
    justify-content: center;
    text-align: center;
  }

  .badge {
    display: grid;
    place-items: center;
    font-size: 1.75em;
    inline-size: 2em;
    block-size: 2em;
    font-weight: 700;
    border-radius: 50%;
    color: var(--ai-interview-color-on-primary);
    background: var(--ai-interview-color-primary);
  }

  .badge--danger {
    color: var(--ai-interview-color-on-danger);
    background: var(--ai-interview-color-danger);
  }

  .reference {
    font-size: 0.875em;
    font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
  }

  /* Narrow containers: stacked controls, full-width buttons. */

  @container (max-width: 30em) {
    .interview {
      --_gap: calc(var(--ai-interview-spacing) * 0.75);
      --_avatar: 4em;
      min-block-size: 0;
    }

    .actions,
    .controls {
      flex-direction: column;
      align-items: stretch;
    }

    .answer {
      grid-template-columns: 1fr;
    }

    .answer .button {
      inline-size: 100%;
    }
  }

  @media (prefers-reduced-motion: reduce) {
    *,
    *::before,
    *::after {
      animation: none !important;
      transition: none !important;
    }

    .spinner {
      border-block-start-color: var(--_line);
    }
  }
`;
