import type { ReactiveController, ReactiveControllerHost } from 'lit';

/**
 * Keeps a keyboard or screen reader user's place in the widget as it re-renders: on a new screen, the focus
 * follows them to its `data-autofocus` control (or the screen itself) if it was in the widget; and a control
 * that goes away while focused hands the focus to its counterpart (`refocus`). The focus never leaves the
 * host page for the widget on its own.
 */
export class FocusController implements ReactiveController {
  #renderedScreen: string | null = null;
  #focusWasInside = false;

  constructor(
    private readonly host: ReactiveControllerHost & HTMLElement,
    /** The screen the host shows now. */
    private readonly screen: () => string,
  ) {
    host.addController(this);
  }

  focusPart(part: string): void {
    this.host.shadowRoot?.querySelector<HTMLElement>(`[part~="${part}"]`)?.focus();
  }

  /** The control focused inside the widget, if any. */
  focusedControl(): Element | null {
    return this.host.shadowRoot?.activeElement ?? null;
  }

  /**
   * Once the update is done: if `control` had the focus and re-rendered away (focus fell to the page's
   * body), `part` takes it, so a keyboard or screen reader user keeps their place.
   */
  async refocus(control: Element | null, part: string): Promise<void> {
    await this.host.updateComplete;
    if (control && !control.isConnected && !this.focusedControl()) this.focusPart(part);
  }

  hostUpdate(): void {
    this.#focusWasInside = this.host.shadowRoot?.activeElement != null;
  }

  hostUpdated(): void {
    const screen = this.screen();
    if (screen === this.#renderedScreen) return;
    const previous = this.#renderedScreen;
    this.#renderedScreen = screen;
    // Follow the candidate to the next screen, without stealing focus from the host page.
    if (previous && this.#focusWasInside) {
      const shadowRoot = this.host.shadowRoot;
      const target = shadowRoot?.querySelector<HTMLElement>('[data-autofocus]');
      target?.focus();
      if (shadowRoot?.activeElement !== target) {
        shadowRoot?.querySelector<HTMLElement>('.body > .screen')?.focus();
      }
    }
  }
}
