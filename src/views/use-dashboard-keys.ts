import {useInput} from 'ink';
import type {Intent} from './dashboard-intents.js';
import {keysOf} from './key-input.js';

/**
 * Reads keys and sends each one, in order, as an intent. What a key means (and which VM it acts
 * on) is decided by the reducer with its state of the moment, never by this render's closure.
 */
export function useDashboardKeys(send: (intent: Intent) => void): void {
  useInput((input, key) => {
    for (const press of keysOf(input, key)) send({type: 'key', key: press});
  });
}
