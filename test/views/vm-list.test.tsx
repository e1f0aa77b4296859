import {stripVTControlCharacters} from 'node:util';
import {render} from 'ink-testing-library';
import {describe, expect, it} from 'vitest';
import {layoutList, type ListLayout} from '../../src/views/column-layout.js';
import {createTheme} from '../../src/views/theme.js';
import {VmList} from '../../src/views/vm-list.js';
import {VM_COLUMNS} from '../../src/views/vm-columns.js';
import {defaultConfig, startWorld} from '../helpers/world.js';

// The list's rows are laid out to fit (columns sized to the width less one cell), and each line is
// also cut to that width where it is built: a line that came out wider would otherwise wrap in
// its multi-line text node and push every row under it down, off the bottom of the box.

const world = startWorld(defaultConfig());
world.advanceTo(30_000_000);
const vms = world.getSnapshot().vms;

function draw(layout: ListLayout, width: number, selectedVm: string | null, isColor = false): string[] {
  const {lastFrame, unmount} = render(
    <VmList
      vms={vms}
      layout={layout}
      selectedVm={selectedVm}
      offset={0}
      bodyRows={vms.length}
      hasFooter={false}
      width={width}
      height={vms.length + 1}
      theme={createTheme(isColor)}
    />,
  );
  const frame = lastFrame() ?? '';
  unmount();
  return frame.split('\n');
}

const sort = {key: 'name', marker: '^'};
const plain = stripVTControlCharacters;

describe('the VM list, a line too wide for it', () => {
  const width = 80;
  const fitting = layoutList(VM_COLUMNS, vms, createTheme(false), width - 1, sort);
  // The first column (the name) made far wider than the width: every row comes out too wide.
  const tooWide: ListLayout = {...fitting, widths: fitting.widths.map((w, i) => (i === 0 ? 100 : w))};

  it.each([
    ['no selection', null, false],
    ['a selection in the middle', vms[2]!.name, false],
    ['colours on', vms[2]!.name, true],
  ] as const)('is cut to the width, the rows below it in place (%s)', (_, selected, isColor) => {
    const lines = draw(tooWide, width, selected, isColor).map(plain);
    expect(lines).toHaveLength(vms.length + 1);
    vms.forEach((vm, index) => {
      const line = lines[index + 1]!;
      expect(line.startsWith(`${vm.name === selected ? '>' : ' '}${vm.name}`), line).toBe(true);
      expect(line.length, line).toBeLessThanOrEqual(vm.name === selected ? width : width - 1);
      if (vm.name !== selected) expect(line).toMatch(/\+$/);
    });
  });

  it('marks a cut that falls on a column boundary, the columns after it dropped (review)', () => {
    // The name column and its separator end exactly on the last cell the rows use (width less one):
    // the columns after it do not fit, and the line must say so rather than end blank.
    const onBoundary: ListLayout = {
      ...fitting,
      widths: fitting.widths.map((w, i) => (i === 0 ? width - 3 : w)),
    };
    const lines = draw(onBoundary, width, vms[2]!.name).map(plain);
    vms.forEach((_, index) => {
      const line = lines[index + 1]!.trimEnd();
      expect(line, line).toHaveLength(width - 1);
      expect(line, line).toMatch(/\+$/);
    });
  });

  it('cuts inside a coloured column without splitting its colour (review)', () => {
    const coloured = layoutList(VM_COLUMNS, vms, createTheme(true), width - 1, sort);
    const security = VM_COLUMNS.findIndex((column) => column.key === 'security');
    const wide: ListLayout = {...coloured, widths: coloured.widths.map((w, i) => (i === security ? 100 : w))};
    const lines = draw(wide, width, null, true).slice(1);
    expect(lines.some((line) => line.includes('\u001b[3'))).toBe(true);
    for (const line of lines) {
      expect(plain(line), line).toHaveLength(width - 1);
      expect(plain(line), line).toMatch(/\+$/);
      const closed = line.split('\u001b[39m').length - 1;
      expect(line.split('\u001b[3').length - 1 - closed, line).toBe(closed); // each colour opened is closed
    }
  });

  it('draws the cut frame exactly', () => {
    expect(draw(tooWide, width, vms[2]!.name).map((line) => line.trimEnd())).toMatchInlineSnapshot(`
      [
        " VM^         HOST    STATE    SECURITY   DEV   DMA     BOUNCE     MIGRATION +5",
        " web-1                                                                        +",
        " db-1                                                                         +",
        ">batch-1                                                                      +",
        " rfc-1                                                                        +",
        " legacy-1                                                                     +",
        " undecl-1                                                                     +",
        " bounce-test                                                                  +",
        " rogue-1                                                                      +",
        " churn-1                                                                      +",
      ]
    `);
  });

  it('is drawn exactly as before where it fits', () => {
    const selected = vms[2]!.name;
    const lines = draw(fitting, width, selected);
    expect(lines.slice(1).every((line) => !line.endsWith('+'))).toBe(true);
    expect(lines.slice(1).map((line) => line.trimEnd())).toMatchInlineSnapshot(`
      [
        " web-1       alpha   running  secure     1 ref gated   ....   9%  -",
        " db-1        beta    running  secure     1 ref not-ppc ....   7%  -",
        ">batch-1     epsilon running  sec-undecl 1 brk gated   |...  13%  -",
        " rfc-1       epsilon running  secure     ok    rfc     ....   9%  -",
        " legacy-1    epsilon running  normal     ok    gated   -          -",
        " undecl-1    gamma   halted   failed     ok    gated   -          -",
        " bounce-test delta   running  normal     ok    gated   |...  32%  -",
        " rogue-1     gamma   running  normal     1 ref gated   -          -",
        " churn-1     alpha   running  normal     ok    gated   -          -",
      ]
    `);
  });
});
