import type {KeyObject} from 'node:crypto';
import type {HostConfig, HostStack} from './config/world-schema.js';
import type {MachineHost} from './machine.js';
import {Ultravisor} from './ultravisor.js';

/**
 * One physical host: memory, an optional ultravisor, whether it can migrate secure guests, and
 * which KVM/QEMU it runs (mainline, or the 2018-era stack).
 */
export class Host implements MachineHost {
  readonly name: string;
  readonly stack: HostStack;
  readonly memoryBytes: number;
  readonly ultravisor: Ultravisor | null;
  readonly secureMigration: boolean;
  #nextLpid = 1;

  constructor(config: HostConfig, keys: ReadonlyMap<string, KeyObject>) {
    this.name = config.name;
    this.memoryBytes = config.memory;
    this.ultravisor = config.ultravisor ? new Ultravisor(config.ultravisor, keys) : null;
    this.secureMigration = config.secureMigration;
    this.stack = config.stack;
  }

  get hasUltravisor(): boolean {
    return this.ultravisor !== null;
  }

  /** KVM hands each new VM on a host its own logical partition id. */
  allocateLpid(): number {
    return this.#nextLpid++;
  }
}
