import {TABS, type Tab} from './dashboard-model.js';

/** The detail panel's tab strip and where each tab is on it (for clicks). */
export function tabStrip(tab: Tab): {
  readonly text: string;
  readonly spans: readonly (readonly [number, number])[];
} {
  let text = '';
  const spans: Array<readonly [number, number]> = [];
  TABS.forEach((name, index) => {
    const label = name === tab ? `[${index + 1} ${name}]` : ` ${index + 1} ${name} `;
    spans.push([text.length, text.length + label.length]);
    text += label;
  });
  return {text, spans};
}
