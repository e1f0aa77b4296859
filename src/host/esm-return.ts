import type {EsmFailureCode} from './ultravisor.js';

/** PAPR hcall return codes (torvalds/linux arch/powerpc/include/asm/hvcall.h). */
const H_PARAMETER = -4;
const H_AUTHORITY = -10;
const H_UNSUPPORTED = -67;
/** The ultravisor's own return code (open-power/ultravisor include/uapi_uvcall.h): "No resources". */
const U_RETRY = -5;

/** What `prom_init` gets back from UV_ESM when the transition fails, and what the number means. */
export interface EsmReturn {
  /** The value `setup_secure_guest` prints with `%d`. */
  readonly value: number;
  /** svmtop's words for it. */
  readonly meaning: string;
}

/**
 * The ultravisor aborts a transition that fails after it asked KVM for H_SVM_INIT_START: it issues
 * H_SVM_INIT_ABORT, and KVM resumes the guest after its UV_ESM with H_PARAMETER
 * (open-power/ultravisor core/uvcall.c uv_esm_svm; torvalds/linux
 * arch/powerpc/kvm/book3s_hv_uvmem.c kvmppc_h_svm_init_abort). KVM's own NAK (H_AUTHORITY) and a
 * rejected ESM blob (svm_esm_blob_chk) take that path. Simplified: svmtop reserves the guest's
 * secure memory before H_SVM_INIT_START and reports a shortage as the ultravisor's direct
 * "no resources" (U_RETRY); a host without an ultravisor answers with H_UNSUPPORTED, the code
 * KVM gives H_SVM_INIT_START when it has no ultravisor (kvmppc_h_svm_init_start).
 */
export function esmReturnOf(code: EsmFailureCode): EsmReturn {
  switch (code) {
    case 'H_AUTHORITY':
      return aborted(`H_SVM_INIT_START returned H_AUTHORITY (${H_AUTHORITY})`);
    case 'U_PERMISSION':
      return aborted('it rejected the ESM ticket');
    case 'U_RETRY':
      return {value: U_RETRY, meaning: `${U_RETRY} is U_RETRY: the ultravisor has no resources for the VM`};
    case 'H_UNSUPPORTED':
      return {value: H_UNSUPPORTED, meaning: `${H_UNSUPPORTED} is H_UNSUPPORTED: the host has no ultravisor`};
  }
}

function aborted(cause: string): EsmReturn {
  return {
    value: H_PARAMETER,
    meaning: `${H_PARAMETER} is H_PARAMETER: KVM's answer to the ultravisor's H_SVM_INIT_ABORT after ${cause}`,
  };
}
