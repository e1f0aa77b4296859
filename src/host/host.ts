import type {KeyObject} from 'node:crypto';
import type {HostConfig} from './config/world-schema.js';
import {Ultravisor} from './ultravisor.js';

/** One physical host: memory, an optional ultravisor, and whether it can migrate secure guests. */
export class Host {
  readonly name: string;
  readonly memoryBytes: number;
  readonly ultravisor: Ultravisor | null;
  readonly secureMigration: boolean;
  #nextLpid = 1;

  constructor(config: HostConfig, keys: ReadonlyMap<string, KeyObject>) {
    this.name = config.name;
    this.memoryBytes = config.memory;
    this.ultravisor = config.ultravisor ? new Ultravisor(config.ultravisor, keys) : null;
    this.secureMigration = config.secureMigration;
  }

  /** KVM hands each new VM on a host its own logical partition id. */
  allocateLpid(): number {
    return this.#nextLpid++;
  }
}
