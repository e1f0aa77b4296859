import {describe, expect, it} from 'vitest';
import {Scheduler, type TimerHandle} from '../../src/core/scheduler.js';
import {GuestCpu} from '../../src/host/guest-cpu.js';

function setup() {
  const scheduler = new Scheduler();
  const cpu = {stopped: false};
  const guestCpu = new GuestCpu(scheduler, () => cpu.stopped);
  const ran: string[] = [];
  return {scheduler, cpu, guestCpu, ran};
}

describe('guest timers', () => {
  it('run after their delay, in the order they were set, and not once cancelled', () => {
    const {scheduler, guestCpu, ran} = setup();
    guestCpu.timer(20, () => ran.push(`b@${scheduler.nowUs}`));
    guestCpu.timer(10, () => ran.push(`a@${scheduler.nowUs}`));
    guestCpu.timer(20, () => ran.push(`c@${scheduler.nowUs}`));
    guestCpu.timer(15, () => ran.push('cancelled')).cancel();
    scheduler.runUntil(100);
    expect(ran).toEqual(['a@10', 'b@20', 'c@20']);
  });

  it('die with the boot that set them', () => {
    const {scheduler, guestCpu, ran} = setup();
    guestCpu.timer(10, () => ran.push('old boot'));
    guestCpu.newEpoch();
    guestCpu.timer(10, () => ran.push('new boot'));
    scheduler.runUntil(100);
    expect(ran).toEqual(['new boot']);
  });

  it('wait while the vCPUs are stopped and run when released, unless the boot ended meanwhile', () => {
    const {scheduler, cpu, guestCpu, ran} = setup();
    cpu.stopped = true;
    guestCpu.timer(10, () => ran.push('waited'));
    scheduler.runUntil(50);
    expect(ran).toEqual([]);
    cpu.stopped = false;
    guestCpu.releaseDeferred();
    expect(ran).toEqual(['waited']);

    cpu.stopped = true;
    guestCpu.timer(10, () => ran.push('never'));
    scheduler.runUntil(100);
    guestCpu.newEpoch();
    cpu.stopped = false;
    guestCpu.releaseDeferred();
    scheduler.runUntil(200);
    expect(ran).toEqual(['waited']);
  });

  it('run again as the same timer when their owner asks (a repeating tick), until the boot ends', () => {
    const {scheduler, cpu, guestCpu, ran} = setup();
    const timer: TimerHandle = guestCpu.timer(25, () => {
      ran.push(`tick@${scheduler.nowUs}`);
      guestCpu.again(timer, 25);
    });
    scheduler.runUntil(60);
    cpu.stopped = true;
    scheduler.runUntil(100); // the tick due at 75 waits for the vCPUs
    cpu.stopped = false;
    guestCpu.releaseDeferred();
    scheduler.runUntil(110);
    guestCpu.newEpoch();
    scheduler.runUntil(300);
    expect(ran).toEqual(['tick@25', 'tick@50', 'tick@100']); // none at 125: that boot ended at 110
  });

  it('run again as the very timer they were made as: cancelling its handle stops the repeats', () => {
    const {scheduler, guestCpu, ran} = setup();
    const timer: TimerHandle = guestCpu.timer(25, () => {
      ran.push(`tick@${scheduler.nowUs}`);
      guestCpu.again(timer, 25);
    });
    scheduler.runUntil(60);
    timer.cancel();
    scheduler.runUntil(300);
    expect(ran).toEqual(['tick@25', 'tick@50']);
  });

  it('refuse to run again a timer that is still queued', () => {
    const {guestCpu} = setup();
    const timer = guestCpu.timer(10, () => {});
    expect(() => guestCpu.again(timer, 10)).toThrow(/scheduled again while still queued/);
  });
});
