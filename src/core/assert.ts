/** Thrown when a programmer error breaks an invariant; operating errors are values, never this. */
export class InvariantError extends Error {
  override readonly name = 'InvariantError';
}

/**
 * Asserts a programmer invariant.
 * @param condition what must hold
 * @param message names the thing and the rule that broke
 */
export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new InvariantError(message);
}

/**
 * Throws an InvariantError. Hot paths test their condition first and call this, so the message
 * (a template string) is only built when the invariant broke.
 */
export function invariantBroken(message: string): never {
  throw new InvariantError(message);
}
