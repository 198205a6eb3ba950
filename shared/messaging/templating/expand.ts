import { type Liquid, type TagToken, Tokenizer, TokenKind, type TopLevelToken } from 'liquidjs';

/** Where a piece of the assembled MJML came from, for error messages. */
export interface Origin {
  part: 'html' | 'layout' | 'partial';
  /** Layout or partial id. */
  name?: string;
  line: number;
  column: number;
}

/** A Liquid tag or output replaced by an opaque key while MJML runs. */
export interface LiquidMark {
  key: string;
  liquid: string;
  /** Tags (`{% if %}`) must survive exactly once; outputs (`{{ x }}`) may be copied. */
  isTag: boolean;
  origin: Origin;
}

export interface SourceText {
  part: Origin['part'];
  name?: string;
  text: string;
}

export interface Expanded {
  /** The MJML document, every Liquid construct replaced by its mark's key. */
  doc: string;
  marks: LiquidMark[];
  /** Where each line of `doc` came from (index 0 is line 1). */
  lineOrigins: Origin[];
  /** The layout and partials that were spliced in, in order of first use. */
  used: SourceText[];
  errors: Array<{ origin: Origin; message: string }>;
  /** A source could not be tokenised (its Liquid check says why), so `doc` is not worth compiling. */
  incomplete: boolean;
}

const PARTIAL_ARGS = /^(['"])([a-z0-9]+(?:-[a-z0-9]+)*)\1$/;
const MAX_DEPTH = 10;

/**
 * Assembles one locale's MJML: the layout with the body in its `{{ content }}` slot and every
 * `{% render 'id' %}` replaced by that partial, recursively. Liquid is swapped for keys made of
 * `keyPrefix`, digits and `q` so MJML can neither mangle it nor choke on it; callers restore it.
 */
export function expand(
  liquid: Liquid,
  input: {
    body: string;
    layout?: { id: string; mjml: string };
    partials: ReadonlyMap<string, string>;
    keyPrefix: string;
  },
): Expanded {
  const pieces: Array<{ text: string; origin: Origin }> = [];
  const marks: LiquidMark[] = [];
  const used: SourceText[] = [];
  const errors: Expanded['errors'] = [];
  let slotFilled = false;
  let incomplete = false;

  const emit = (source: SourceText, stack: readonly string[]): void => {
    let tokens: TopLevelToken[];
    try {
      tokens = new Tokenizer(source.text, liquid.options.operators).readTopLevelTokens(liquid.options);
    } catch {
      // The Liquid check of this source reports the syntax error with its line.
      incomplete = true;
      return;
    }
    for (const token of tokens) {
      const origin = originOf(source, token.getPosition());
      const text = token.getText();
      if (token.kind === TokenKind.HTML) {
        pieces.push({ text, origin });
        continue;
      }
      const inner = text.slice(2, -2).replace(/^-/, '').replace(/-$/, '').trim();
      if (token.kind === TokenKind.Output && source.part === 'layout' && inner === 'content') {
        if (slotFilled) errors.push({ origin, message: 'the layout has {{ content }} more than once' });
        else {
          slotFilled = true;
          emit({ part: 'html', text: input.body }, stack);
        }
        continue;
      }
      if (token.kind === TokenKind.Tag) {
        const tag = token as TagToken;
        if (tag.name === 'render' || tag.name === 'include') {
          emitPartial(tag, origin, stack);
          continue;
        }
        if (tag.name === 'layout') {
          errors.push({ origin, message: "{% layout %} is not supported: choose the template's layout instead" });
          continue;
        }
      }
      const key = `${input.keyPrefix}${marks.length}q`;
      marks.push({ key, liquid: text, isTag: token.kind === TokenKind.Tag, origin });
      pieces.push({ text: key, origin });
    }
  };

  const emitPartial = (tag: TagToken, origin: Origin, stack: readonly string[]): void => {
    const id = PARTIAL_ARGS.exec(tag.args.trim())?.[2];
    if (!id) {
      errors.push({ origin, message: `write partials as {% render 'name' %} without arguments, not ${tag.getText()}` });
      return;
    }
    const mjml = input.partials.get(id);
    if (mjml === undefined) {
      const known = [...input.partials.keys()].join(', ') || 'none';
      errors.push({ origin, message: `partial "${id}" does not exist (available: ${known})` });
      return;
    }
    if (stack.includes(id) || stack.length >= MAX_DEPTH) {
      errors.push({ origin, message: `partial "${id}" includes itself (${[...stack, id].join(' → ')})` });
      return;
    }
    const source: SourceText = { part: 'partial', name: id, text: mjml };
    if (!used.some((u) => u.part === 'partial' && u.name === id)) used.push(source);
    emit(source, [...stack, id]);
  };

  if (input.layout) {
    const source: SourceText = { part: 'layout', name: input.layout.id, text: input.layout.mjml };
    used.push(source);
    emit(source, []);
    if (!slotFilled) {
      errors.push({
        origin: originOf(source, [1, 1]),
        message: 'the layout has no {{ content }} slot for the template body',
      });
    }
  } else {
    emit({ part: 'html', text: input.body }, []);
  }

  return { doc: pieces.map((p) => p.text).join(''), marks, lineOrigins: lineOrigins(pieces), used, errors, incomplete };
}

function originOf(source: SourceText, position: number[]): Origin {
  const [line = 1, column = 1] = position;
  return source.name === undefined
    ? { part: source.part, line, column }
    : { part: source.part, name: source.name, line, column };
}

/**
 * For each output line, the origin of its first non-blank character (a body spliced in mid-line
 * is blamed for the elements it brings), else of its first character.
 */
function lineOrigins(pieces: ReadonlyArray<{ text: string; origin: Origin }>): Origin[] {
  const firstChar: Origin[] = [];
  const firstInk: Array<Origin | undefined> = [];
  let line = 0;
  for (const { text, origin } of pieces) {
    const segments = text.split('\n');
    segments.forEach((segment, i) => {
      const here: Origin = i === 0 ? origin : { ...origin, line: origin.line + i, column: 1 };
      firstChar[line + i] ??= here;
      if (segment.trim() !== '' && firstInk[line + i] === undefined) firstInk[line + i] = here;
    });
    line += segments.length - 1;
  }
  return firstChar.map((origin, i) => firstInk[i] ?? origin);
}
