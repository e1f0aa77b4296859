import {describe, expect, it} from 'vitest';
import {dashboardViewOf} from '../../src/app/world-runner.js';
import {previewCommand} from '../../src/host/command-preview.js';
import type {World} from '../../src/host/world.js';
import type {Intent} from '../../src/views/dashboard-intents.js';
import {transition} from '../../src/views/dashboard-reducer.js';
import {
  initialDashboardState,
  STATUS_LIFETIME_MS,
  type DashboardState,
} from '../../src/views/dashboard-state.js';
import {apply} from '../helpers/reducer.js';
import {defaultConfig, startWorld} from '../helpers/world.js';

/** The default world and `extra` more idle guests (copies of rogue-1), so lists outgrow the screen. */
function configWith(extra: number) {
  const config = defaultConfig();
  const rogue = config.guests.find((guest) => guest.name === 'rogue-1')!;
  const copies = Array.from({length: extra}, (_, index) => ({...rogue, name: `extra-${index + 1}`}));
  return {...config, guests: [...config.guests, ...copies]};
}

function start(
  seconds = 12,
  size = {columns: 120, rows: 40},
  extra = 0,
): {world: World; state: DashboardState} {
  const world = startWorld(configWith(extra), 1);
  world.advanceTo(seconds * 1_000_000);
  return {world, state: initialDashboardState(dashboardViewOf(world), size)};
}

const char = (value: string): Intent => ({type: 'key', key: {name: 'char', char: value}});

describe('selection is by name and moves within the list', () => {
  it('select-by, select-page, select-first, select-last, select-row', () => {
    const {state} = start();
    expect(state.selectedVm).toBe('batch-1');
    expect(apply(state, {type: 'select-by', rows: 2}).state.selectedVm).toBe('churn-1');
    expect(apply(state, {type: 'select-by', rows: -5}).state.selectedVm).toBe('batch-1');
    expect(apply(state, {type: 'select-last'}).state.selectedVm).toBe('web-1');
    expect(apply(state, {type: 'select-last'}, {type: 'select-first'}).state.selectedVm).toBe('batch-1');
    expect(apply(state, {type: 'select-page', pages: 1}).state.selectedVm).toBe('web-1');
    expect(apply(state, {type: 'select-row', row: 3}).state.selectedVm).toBe('db-1');
    expect(apply(state, {type: 'select-row', row: 30}).state.selectedVm).toBe('batch-1');
  });

  it('scrolls the list to keep the selection in view on a short terminal', () => {
    const {state} = start(1, {columns: 80, rows: 24}, 6);
    const moved = apply(state, {type: 'select-last'}).state;
    expect(moved.listOffset).toBeGreaterThan(0);
    expect(apply(moved, {type: 'select-first'}).state.listOffset).toBe(0);
  });

  it('a burst of keys reads the selection each key left: "jp" pauses the next VM', () => {
    const {state} = start();
    const {state: after, effects} = apply(state, char('j'), char('p'));
    expect(after.selectedVm).toBe('bounce-test');
    expect(effects).toEqual([{kind: 'run', command: {kind: 'pause', vm: 'bounce-test'}}]);
  });
});

describe('tabs, sort and scrolling', () => {
  it('tab, tab-step, sort-step, sort-invert, events-scroll', () => {
    const {state} = start();
    expect(apply(state, {type: 'tab', tab: 'events'}).state.tab).toBe('events');
    expect(apply(state, {type: 'tab-step', step: -1}).state.tab).toBe('events');
    const sorted = apply(state, {type: 'sort-step', step: 1}).state;
    expect(sorted.sortKey).toBe('host');
    expect(sorted.vms[0]!.host).toBe('alpha');
    const inverted = apply(state, {type: 'sort-invert'}).state;
    expect(inverted.vms[0]!.name).toBe('web-1');
    expect(inverted.selectedVm).toBe('batch-1');
    // Every event of batch-1 fits at 120x40: there is nothing to scroll back to.
    expect(apply(state, {type: 'events-scroll', events: 3}).state.eventsBack).toBe(0);
    const short = start(30, {columns: 80, rows: 24}).state;
    const scrolled = apply(short, {type: 'events-scroll', events: 3}).state;
    expect(scrolled.eventsBack).toBe(3);
    expect(apply(scrolled, {type: 'events-scroll', events: -10}).state.eventsBack).toBe(0);
    // A terminal grown until the whole log fits holds nothing back (review: it kept 3 until a snapshot).
    expect(apply(scrolled, {type: 'resize', columns: 120, rows: 40}).state.eventsBack).toBe(0);
    // Another VM selected shows its newest events (review: the count carried over to it).
    expect(apply(scrolled, {type: 'select-by', rows: 1}).state.eventsBack).toBe(0);
  });

  it('a click on a tab opens it; the wheel over the list moves the selection', () => {
    const {state} = start();
    const tabRow = 1 + state.vms.length + 1;
    expect(apply(state, {type: 'click', column: 16, row: tabRow}).state.tab).toBe('swiotlb');
    expect(apply(state, {type: 'click', column: 3, row: 2}).state.selectedVm).toBe('batch-1');
    expect(apply(state, {type: 'wheel', rows: 1, row: 3}).state.selectedVm).toBe('bounce-test');
  });

  it('moving around clears a stale message', () => {
    const {state} = start();
    const said = apply(state, {type: 'say', text: 'no action for "z"', tone: 'warning'}).state;
    expect(said.status?.text).toBe('no action for "z"');
    expect(apply(said, {type: 'tab-step', step: 1}).state.status).toBeNull();
    // Another sort column replaces it with the column's name (the width may hide the header's mark).
    expect(apply(said, {type: 'sort-step', step: 1}).state.status?.text).toMatch(
      /^sorted by HOST, ascending/,
    );
    expect(apply(said, {type: 'select-last'}).state.status).toBeNull();
  });
});

describe('overlays', () => {
  it('help-open, help-scroll, close', () => {
    const {state} = start(12, {columns: 80, rows: 24});
    const open = apply(state, {type: 'help-open'}).state;
    expect(open.overlay).toEqual({kind: 'help', offset: 0});
    const scrolled = apply(open, {type: 'help-scroll', by: 1, unit: 'end'}).state;
    expect(scrolled.overlay.kind === 'help' && scrolled.overlay.offset).toBeGreaterThan(0);
    expect(apply(scrolled, {type: 'help-scroll', by: -1, unit: 'page'}).state.overlay).not.toEqual(
      scrolled.overlay,
    );
    expect(apply(open, {type: 'close'}).state.overlay).toEqual({kind: 'none'});
    expect(apply(state, {type: 'close'}).state.status?.text).toBe('nothing to close');
  });

  it('filter-open, filter-type, filter-erase, filter-accept, filter-clear', () => {
    const {state} = start();
    const typed = apply(state, {type: 'filter-open'}, {type: 'filter-type', text: 'alphax'}).state;
    expect(typed.vms).toHaveLength(0);
    expect(typed.selectedVm).toBeNull();
    const erased = apply(typed, {type: 'filter-erase'}, {type: 'filter-accept'}).state;
    expect(erased.filter).toBe('alpha');
    expect(erased.overlay).toEqual({kind: 'none'});
    expect(erased.vms.map((vm) => vm.name)).toEqual(['churn-1', 'web-1']);
    expect(erased.selectedVm).toBe('churn-1');
    const cleared = apply(erased, {type: 'filter-open'}, {type: 'filter-clear'}).state;
    expect(cleared.filter).toBe('');
    expect(cleared.selectedVm).toBe('churn-1');
    expect(apply(erased, {type: 'close'}).state.filter).toBe('');
  });

  it('"/alpha\\r" typed as keys is a filter, not a command', () => {
    const {state} = start();
    const keys = [...'/alpha'].map(char);
    const {state: after, effects} = apply(state, ...keys, {type: 'key', key: {name: 'return'}});
    expect(after.filter).toBe('alpha');
    expect(after.overlay.kind).toBe('none');
    expect(effects).toEqual([]);
  });
});

describe('commands: ask first, with the host saying what will happen', () => {
  it('vm secure asks the host first; its answer opens a question that runs on y', () => {
    const {world, state} = start();
    const legacy = apply(state, {type: 'select-by', rows: 4}).state;
    const asked = apply(legacy, {type: 'vm', command: 'secure'});
    expect(asked.effects).toEqual([{kind: 'preview', request: {kind: 'secure', vm: 'legacy-1'}}]);
    const request = {kind: 'secure', vm: 'legacy-1'} as const;
    const question = apply(asked.state, {
      type: 'previewed',
      request,
      preview: previewCommand(world, request),
    }).state;
    expect(question.overlay.kind === 'confirm' && question.overlay.question).toMatch(
      /^legacy-1: kexec .* Go secure\?$/,
    );
    expect(apply(question, {type: 'answer', isYes: true}).effects).toEqual([{kind: 'run', command: request}]);
    const cancelled = apply(question, {type: 'answer', isYes: false});
    expect(cancelled.effects).toEqual([]);
    expect(cancelled.state.status?.text).toBe('cancelled');
  });

  it('a refused preview says why and asks nothing', () => {
    const {state} = start();
    const request = {kind: 'secure', vm: 'batch-1'} as const;
    const after = apply(state, {
      type: 'previewed',
      request,
      preview: {ok: false, code: 'already-secure', reason: 'batch-1 is already secure'},
    }).state;
    expect(after.overlay.kind).toBe('none');
    expect(after.status?.text).toBe('secure batch-1 refused: batch-1 is already secure');
  });

  it('balloon steps from the target the last command set; memory-protected asks before forcing', () => {
    const {state} = start();
    const churn = apply(state, {type: 'select-by', rows: 2}).state;
    expect(apply(churn, {type: 'vm', command: 'balloon-inflate'}).effects).toEqual([
      {
        kind: 'preview',
        request: {kind: 'balloon', vm: 'churn-1', targetBytes: 256 * 2 ** 20, isForced: false},
      },
    ]);
    expect(apply(churn, {type: 'vm', command: 'balloon-deflate'}).effects).toEqual([
      {kind: 'preview', request: {kind: 'balloon', vm: 'churn-1', targetBytes: 0, isForced: false}},
    ]);
    const request = {kind: 'balloon', vm: 'web-1', targetBytes: 2 ** 28, isForced: false} as const;
    const forced = apply(state, {
      type: 'previewed',
      request,
      preview: {
        ok: false,
        code: 'memory-protected',
        reason: "web-1's memory is secure: the host would reclaim nothing",
        // The host's words (forcedInflateWords): the view asks with them and keeps no copy.
        ifForced: 'its memory is secure, so the host would reclaim nothing; and its balloon would fault',
      },
    }).state;
    expect(forced.overlay).toMatchObject({
      kind: 'confirm',
      question:
        'web-1: its memory is secure, so the host would reclaim nothing; and its balloon would fault. Inflate to 256MiB anyway?',
      command: {...request, isForced: true},
    });
  });

  it('pause-toggle, policy-cycle, workload-cycle and migrate-cancel run at once', () => {
    const {state} = start();
    expect(apply(state, {type: 'vm', command: 'pause-toggle'}).effects).toEqual([
      {kind: 'run', command: {kind: 'pause', vm: 'batch-1'}},
    ]);
    expect(apply(state, {type: 'vm', command: 'policy-cycle'}).effects).toEqual([
      {kind: 'run', command: {kind: 'policy', vm: 'batch-1', policy: 'force-dma-api'}},
    ]);
    expect(apply(state, {type: 'vm', command: 'workload-cycle'}).effects).toEqual([
      {kind: 'run', command: {kind: 'workload', vm: 'batch-1', workload: 'stream'}},
    ]);
    expect(apply(state, {type: 'vm', command: 'migrate-cancel'}).effects).toEqual([
      {kind: 'run', command: {kind: 'migrate-cancel', vm: 'batch-1'}},
    ]);
  });

  it("migrate opens the picker from the host's checks; picker-move and picker-choose go by host", () => {
    const {world, state} = start();
    const db = apply(state, {type: 'select-by', rows: 3}).state;
    const request = {kind: 'migrate', vm: 'db-1', to: null} as const;
    expect(apply(db, {type: 'vm', command: 'migrate'}).effects).toEqual([{kind: 'preview', request}]);
    const picker = apply(db, {type: 'previewed', request, preview: previewCommand(world, request)}).state;
    expect(picker.overlay).toMatchObject({kind: 'picker', vm: 'db-1', host: 'alpha'});
    const gamma = apply(picker, {type: 'picker-move', by: 1}).state;
    expect(gamma.overlay).toMatchObject({host: 'gamma'});
    const refused = apply(gamma, {type: 'picker-choose'});
    expect(refused.effects).toEqual([]);
    expect(refused.state.status?.text).toMatch(/^gamma would refuse: /);
    expect(refused.state.overlay.kind).toBe('picker');
    const chosen = apply(picker, {type: 'picker-choose'});
    expect(chosen.effects).toEqual([{kind: 'run', command: {kind: 'migrate', vm: 'db-1', to: 'alpha'}}]);
    expect(chosen.state.overlay.kind).toBe('none');
  });

  it('ran says the answer and follows the outcome; speed, quit, suspend are effects', () => {
    const {state} = start();
    const ran = apply(state, {
      type: 'ran',
      command: {kind: 'secure', vm: 'legacy-1'},
      result: {ok: true, message: 'svm=on set; kexec into the secure kernel'},
    }).state;
    expect(ran.status?.text).toBe('secure legacy-1: svm=on set; kexec into the secure kernel');
    expect(ran.watches).toMatchObject([{vm: 'legacy-1', kind: 'secure'}]);
    const refused = apply(state, {
      type: 'ran',
      command: {kind: 'pause', vm: 'x'},
      result: {ok: false, reason: 'no'},
    });
    expect(refused.state.status).toMatchObject({text: 'pause x refused: no', tone: 'warning'});
    expect(apply(state, {type: 'speed', factor: 2}).effects).toEqual([{kind: 'speed', factor: 2}]);
    expect(apply(state, {type: 'speed-changed', speed: 2}).state.status?.text).toBe('speed 2x');
    // QA item 1: at a bound the status line says so.
    expect(apply(state, {type: 'speed-changed', speed: 1000}).state.status?.text).toBe(
      'speed 1000x: the fastest (0.01x to 1000x)',
    );
    expect(apply(state, {type: 'speed-changed', speed: 0.01}).state.status?.text).toBe(
      'speed 0.01x: the slowest (0.01x to 1000x)',
    );
    // Halving 1000x seven times: the status line says it as the header does, not 7.8125x.
    expect(apply(state, {type: 'speed-changed', speed: 7.8125}).state.status?.text).toBe('speed 7.81x');
    expect(apply(state, {type: 'quit'}).effects).toEqual([{kind: 'quit'}]);
    expect(apply(state, {type: 'suspend'}).effects).toEqual([{kind: 'suspend'}]);
  });
});

describe('views from the world', () => {
  it('a view keeps the neighbour of a removed guest, ages messages, and reports outcomes', () => {
    const {world, state} = start();
    const legacy = apply(
      state,
      {type: 'select-by', rows: 4},
      {type: 'say', text: 'old news', tone: 'info'},
    ).state;
    const config = defaultConfig();
    world.applyConfig({...config, guests: config.guests.filter((guest) => guest.name !== 'legacy-1')});
    const after = transition(
      legacy,
      {type: 'view', view: dashboardViewOf(world)},
      STATUS_LIFETIME_MS + 1,
    ).state;
    expect(after.selectedVm).toBe('rfc-1');
    expect(after.status).toBeNull();
  });

  it('an outcome replaces the promise it follows', () => {
    const {world, state} = start();
    world.secure('legacy-1');
    const watching = apply(state, {
      type: 'ran',
      command: {kind: 'secure', vm: 'legacy-1'},
      result: {ok: true, message: 'svm=on set'},
    }).state;
    world.advanceBy(15_000_000);
    const after = transition(watching, {type: 'view', view: dashboardViewOf(world)}, 1000).state;
    expect(after.status?.text).toBe('legacy-1 is secure; 3 devices broken (see 1 devices)');
    expect(after.watches).toEqual([]);
  });

  it('resize keeps the selection on screen', () => {
    const {state} = start(1, {columns: 120, rows: 40}, 6);
    const last = apply(state, {type: 'select-last'}).state;
    expect(last.listOffset).toBe(0);
    const small = apply(last, {type: 'resize', columns: 80, rows: 24}).state;
    expect(small.size).toEqual({columns: 80, rows: 24});
    expect(small.listOffset).toBeGreaterThan(0);
  });

  it('keys in a terminal too small only quit or say why', () => {
    const {state} = start(12, {columns: 70, rows: 20});
    expect(apply(state, char('s')).state.status?.text).toContain('too small');
    expect(apply(state, char('q')).effects).toEqual([{kind: 'quit'}]);
    expect(apply(state, {type: 'key', key: {name: 'f10'}}).effects).toEqual([{kind: 'quit'}]);
  });
});
