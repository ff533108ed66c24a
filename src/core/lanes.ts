import PQueue from 'p-queue';

/**
 * Serial lanes keyed by (conversation, bridge): work for one conversation on one platform runs in
 * order, one step at a time, while other conversations and other platforms run freely. A lane exists
 * only while it has work.
 */
export class Lanes {
  readonly #lanes = new Map<string, PQueue>();

  /** Runs `task` after everything queued before it on the same lane. */
  run<T>(lane: string, task: () => Promise<T>): Promise<T> {
    let queue = this.#lanes.get(lane);
    if (!queue) {
      const created = new PQueue({ concurrency: 1 });
      queue = created;
      this.#lanes.set(lane, created);
      created.on('idle', () => {
        if (this.#lanes.get(lane) === created && created.size === 0 && created.pending === 0) this.#lanes.delete(lane);
      });
    }
    return queue.add(task);
  }

  /** Resolves when everything queued on the lane so far has settled. */
  async idle(lane: string): Promise<void> {
    await this.#lanes.get(lane)?.onIdle();
  }

  /** Resolves when every lane is idle. */
  async drain(): Promise<void> {
    while (this.#lanes.size > 0) {
      await Promise.all([...this.#lanes.values()].map((queue) => queue.onIdle()));
    }
  }
}
