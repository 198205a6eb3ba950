/**
 * Building the page through the DOM: every value reaches it as a text node or an attribute set
 * with `setAttribute`, never as markup, so contact data is never parsed as HTML.
 */

const SVG_NS = 'http://www.w3.org/2000/svg';

/** Attribute values; null and undefined leave the attribute out. */
export type Attrs = Record<string, string | number | null | undefined>;

/** A child: a node, or a value shown as text; null, undefined and false are skipped. */
export type Child = Node | string | number | null | undefined | false;

function setAttrs(node: Element, attrs: Attrs): void {
  for (const [key, value] of Object.entries(attrs)) {
    if (value !== undefined && value !== null) node.setAttribute(key, String(value));
  }
}

/** Appends each child in order, text as text nodes. */
export function append(node: Node, children?: Child | readonly Child[]): void {
  if (children === undefined || children === null) return;
  const list: readonly Child[] = Array.isArray(children) ? children : [children as Child];
  for (const c of list) {
    if (c === undefined || c === null || c === false) continue;
    node.appendChild(typeof c === 'object' ? c : document.createTextNode(String(c)));
  }
}

/** An HTML element with its attributes and children. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  children?: Child | readonly Child[],
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  setAttrs(node, attrs);
  append(node, children);
  return node;
}

/** An SVG element with its attributes and children. */
export function svg(tag: string, attrs: Attrs = {}, children?: Child | readonly Child[]): SVGElement {
  const node = document.createElementNS(SVG_NS, tag) as SVGElement;
  setAttrs(node, attrs);
  append(node, children);
  return node;
}

/** Removes every child of `node`. */
export function clear(node: Node): void {
  while (node.firstChild) node.removeChild(node.firstChild);
}
