import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {initialLifecycle, type Lifecycle} from '../src/host/lifecycle/lifecycle.js';
import {transition} from '../src/host/lifecycle/transition.js';
import {ROOT} from './helpers/cli.js';

// README's scenario "Steps:" paragraph named reboot, secure and unsecure but not what they do to a
// paused VM since a reset the host starts holds it before its firmware (isResetHeldOf).

/** README's "Steps:" paragraph, its lines joined by single spaces. */
function stepsParagraph(): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const paragraph = /^Steps:[\s\S]*?(?=\n\n)/m.exec(readme)?.[0] ?? '';
  return paragraph.replace(/\s+/g, ' ');
}

const paused: Lifecycle = {
  ...initialLifecycle('g1', {svm: false, dmaPolicy: 'access-platform-gated'}),
  stage: {kind: 'running'},
  bootCount: 1,
  vcpu: {kind: 'paused'},
};

describe("README's Steps paragraph on a paused VM", () => {
  it('says reboot and unsecure reset it at once and hold it, as their answers do', () => {
    expect(stepsParagraph()).toContain(
      'On a paused VM that has not halted, `reboot` and `unsecure` reset it at once (in-flight I/O dropped) and leave it paused before its firmware until `resume`',
    );
    for (const type of ['reboot', 'unsecure'] as const)
      expect(transition({...paused, settings: {...paused.settings, svm: true}}, {type}).result).toEqual({
        ok: true,
        message: 'reset at once; stays paused before its firmware until resumed',
      });
  });

  it("says secure's kexec waits for resume, as its answer does", () => {
    expect(stepsParagraph()).toContain(
      '`secure` sets `svm=on` and, on a running kernel, its kexec waits for `resume`',
    );
    expect(transition(paused, {type: 'secure'}).result).toEqual({
      ok: true,
      message: 'svm=on set; kexec into the secure kernel once resumed',
    });
  });
});
