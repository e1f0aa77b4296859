import {Text} from 'ink';
import {memo, type ComponentType} from 'react';

/**
 * The views' one way to skip drawing what did not change: a component wrapped by `steady` renders
 * again only when one of its props draws differently. Views build their texts afresh from every
 * snapshot, mostly the same ones, and a component rendered again costs the frame its Ink nodes'
 * work (text squashed, measured, written out again). Props are compared by value: strings,
 * numbers and functions as they are, lists item by item and plain objects field by field (a
 * field left out is one that is undefined); anything else (a class instance, an element) by
 * identity. A snapshot is a plain object and would be walked whole every frame: pass what is
 * drawn from it, never the snapshot.
 */
export function steady<P extends object>(component: ComponentType<P>) {
  return memo(component, isSameDrawing);
}

/** Whether two props (or two values within them) draw the same, by the rule above. */
export function isSameDrawing(before: unknown, after: unknown): boolean {
  if (Object.is(before, after)) return true;
  if (Array.isArray(before)) {
    if (!Array.isArray(after) || before.length !== after.length) return false;
    for (let index = 0; index < before.length; index++)
      if (!isSameDrawing(before[index], after[index])) return false;
    return true;
  }
  if (!isPlainObject(before) || !isPlainObject(after)) return false;
  for (const key in before) if (!isSameDrawing(before[key], after[key])) return false;
  for (const key in after) if (!Object.hasOwn(before, key) && after[key] !== undefined) return false;
  return true;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  // A React element is a plain object too, but its owner and children are not the drawing.
  return (prototype === Object.prototype || prototype === null) && !('$$typeof' in value);
}

/**
 * Ink's `Text` drawn again only when a prop changes (its text among them): for lines that stay
 * the same across frames inside a box that does not (a header above changing rows). Its text must
 * be a string (an element inside would be compared by identity, so always drawn).
 */
export const SteadyText = steady(Text);
