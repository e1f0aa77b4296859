import type {GuestMemory} from '../core/guest-memory.js';
import type {CheckedResult, LifecycleEvent} from './lifecycle/lifecycle.js';
import type {SimContext} from './sim-context.js';

/** What of a guest a refused page-in needs: its log and clock, and its lifecycle. */
export interface PageInGuest {
  readonly name: string;
  readonly context: SimContext;
  readonly isHalted: boolean;
  dispatch(event: LifecycleEvent): CheckedResult;
}

/**
 * A page-in the ultravisor refuses (the hypervisor wrote to the page's ciphertext) leaves the
 * vCPU unable to go on: `kvmppc_send_page_to_uv` returns -EFAULT from KVM_RUN. The guest stops
 * after the step it is in, once however many pages failed.
 */
export function stopOnRefusedPageIn(memory: GuestMemory, guest: PageInGuest): void {
  let isStopping = false;
  memory.onPageInFailure = (gpa) => {
    guest.context.emit(
      guest.name,
      'security',
      'error',
      `UV_PAGE_IN of gpa 0x${gpa.toString(16)} failed: the hypervisor wrote to the page while it held it encrypted, and the ultravisor's integrity check refuses it`,
    );
    if (isStopping) return;
    isStopping = true;
    guest.context.scheduler.after(0, () => {
      isStopping = false;
      if (!guest.isHalted)
        guest.dispatch({type: 'vcpu-failed', message: 'error: kvm run failed Bad address'});
    });
  };
}
