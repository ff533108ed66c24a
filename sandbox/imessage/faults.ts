import type { FaultSpec } from './types.js';

interface ActiveFault {
  spec: FaultSpec;
  remaining: number;
}

/** Injected faults, consumed in the order they were added by the requests they match. */
export class FaultList {
  readonly #faults: ActiveFault[] = [];

  add(spec: FaultSpec): void {
    this.#faults.push({ spec, remaining: spec.count ?? 1 });
  }

  /** The fault that applies to this request, if any; consumes one use of it. */
  take(method: string, path: string): FaultSpec | undefined {
    const index = this.#faults.findIndex(
      ({ spec }) => spec.path === path && (spec.method === undefined || spec.method.toUpperCase() === method),
    );
    const fault = this.#faults[index];
    if (!fault) return undefined;
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.#faults.splice(index, 1);
    return fault.spec;
  }
}
