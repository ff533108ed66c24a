const DISCORD_EPOCH = 1420070400000n;

/** Makes Discord snowflakes: time since the Discord epoch in the high bits, a counter in the low ones. */
export class SnowflakeFactory {
  #increment = 0n;
  #lastMs = 0n;

  next(now = Date.now()): string {
    let ms = BigInt(now);
    // Ids must grow even if the clock stands still or steps back: order of ids = order of creation.
    if (ms < this.#lastMs) ms = this.#lastMs;
    if (ms === this.#lastMs) {
      this.#increment += 1n;
      if (this.#increment > 0xfffn) {
        ms += 1n;
        this.#increment = 0n;
      }
    } else {
      this.#increment = 0n;
    }
    this.#lastMs = ms;
    return (((ms - DISCORD_EPOCH) << 22n) | (1n << 17n) | this.#increment).toString();
  }
}
