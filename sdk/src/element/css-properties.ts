import { noChange, nothing } from 'lit';
import { Directive, directive, type ElementPart, type PartInfo, PartType } from 'lit/directive.js';

/**
 * Sets custom properties on an element through the CSSOM (`element.style.setProperty`), on the first render
 * too: `<div ${cssProperties({ '--level': '40%' })}>`. A host page's Content-Security-Policy without
 * 'unsafe-inline' in `style-src` blocks a `style` attribute written as markup, and Lit's `styleMap` writes
 * one on its first render; the CSSOM it allows.
 */
class CssPropertiesDirective extends Directive {
  #names = new Set<string>();

  constructor(partInfo: PartInfo) {
    super(partInfo);
    if (partInfo.type !== PartType.ELEMENT) {
      throw new Error('`cssProperties` goes on an element, in its tag, not in an attribute.');
    }
  }

  render(_properties: Readonly<Record<`--${string}`, string>>): typeof nothing {
    return nothing;
  }

  override update(
    part: ElementPart,
    [properties]: [Readonly<Record<`--${string}`, string>>],
  ): typeof noChange {
    const { style } = part.element as HTMLElement;
    for (const name of this.#names) {
      if (!(name in properties)) style.removeProperty(name);
    }
    this.#names = new Set(Object.keys(properties));
    for (const [name, value] of Object.entries(properties)) style.setProperty(name, value);
    return noChange;
  }
}

export const cssProperties = directive(CssPropertiesDirective);
