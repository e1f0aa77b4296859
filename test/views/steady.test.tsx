import type * as Ink from 'ink';
import {render} from 'ink-testing-library';
import {createElement, type ComponentProps} from 'react';
import {describe, expect, it, vi} from 'vitest';
import {isSameDrawing, SteadyText} from '../../src/views/steady.js';
import {TextLines, type Line} from '../../src/views/text-lines.js';

// The views skip drawing what did not change in one way (src/views/steady.ts): a line whose text
// changed must be drawn again, one that did not must not be rendered again (Ink's Text counted).

const drawn = vi.hoisted(() => ({texts: 0}));
vi.mock('ink', async (importOriginal) => {
  const ink = await importOriginal<typeof Ink>();
  const Text = (props: ComponentProps<typeof ink.Text>) => {
    drawn.texts++;
    return createElement(ink.Text, props);
  };
  return {...ink, Text};
});

/** The same lines as new objects, as a view builds them from each snapshot. */
const panelLines = (third: string, color?: string): Line[] => [
  {text: 'heading', color: 'cyan'},
  {text: 'a line that wraps at the width', indent: 2},
  {text: third, color, cut: {order: 1, label: 'third'}},
];

function mountPanel(lines: Line[]) {
  const view = render(<TextLines lines={lines} width={20} height={6} />);
  const show = (next: Line[]) => {
    drawn.texts = 0;
    view.rerender(<TextLines lines={next} width={20} height={6} />);
    return view.lastFrame() ?? '';
  };
  return {view, show};
}

describe('a steady panel of lines', () => {
  it('is not rendered again when a snapshot gives it the same lines afresh', () => {
    const {view, show} = mountPanel(panelLines('third'));
    const before = view.lastFrame();
    expect(show(panelLines('third'))).toBe(before);
    expect(drawn.texts).toBe(0);
    view.unmount();
  });

  it('draws a line again when its text, colour or cut changes', () => {
    const {view, show} = mountPanel(panelLines('third'));
    expect(show(panelLines('changed'))).toContain('changed');
    expect(drawn.texts).toBeGreaterThan(0);
    show(panelLines('changed', 'red'));
    expect(drawn.texts).toBeGreaterThan(0);
    const recut = panelLines('changed', 'red');
    recut[2] = {...recut[2]!, cut: {order: 2, label: 'third'}};
    show(recut);
    expect(drawn.texts).toBeGreaterThan(0);
    view.unmount();
  });

  it('draws a steady text again only when its text or a prop changes', () => {
    const view = render(<SteadyText bold>same</SteadyText>);
    drawn.texts = 0;
    view.rerender(<SteadyText bold>same</SteadyText>);
    expect(drawn.texts).toBe(0);
    view.rerender(<SteadyText bold>other</SteadyText>);
    expect(view.lastFrame()).toBe('other');
    view.rerender(<SteadyText>other</SteadyText>);
    expect(drawn.texts).toBe(2);
    view.unmount();
  });
});

describe('isSameDrawing', () => {
  it('compares lists item by item and plain objects field by field', () => {
    expect(isSameDrawing({lines: ['a', 'b'], width: 3}, {lines: ['a', 'b'], width: 3})).toBe(true);
    expect(isSameDrawing({lines: ['a', 'b']}, {lines: ['a', 'c']})).toBe(false);
    expect(isSameDrawing({lines: ['a']}, {lines: ['a', 'b']})).toBe(false);
    expect(isSameDrawing([{cut: {order: 1}}], [{cut: {order: 2}}])).toBe(false);
    expect(isSameDrawing({text: 'a', color: undefined}, {text: 'a'})).toBe(true);
    expect(isSameDrawing({text: 'a'}, {text: 'a', color: 'red'})).toBe(false);
    expect(isSameDrawing(Number.NaN, Number.NaN)).toBe(true);
    // A field named as Object.prototype's members is a field like any other.
    expect(isSameDrawing({}, {toString: 'x'})).toBe(false);
    expect(isSameDrawing({constructor: 'a'}, {constructor: 'b'})).toBe(false);
  });

  it('compares anything else by identity: class instances and elements', () => {
    expect(isSameDrawing(new Map(), new Map())).toBe(false);
    expect(isSameDrawing(<SteadyText>a</SteadyText>, <SteadyText>a</SteadyText>)).toBe(false);
    const onKey = () => {};
    expect(isSameDrawing({onKey}, {onKey})).toBe(true);
  });
});
