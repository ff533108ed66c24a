/**
 * JSON a table serializes itself (a shard or a delta whose rows already hold JSON text): written as it is where
 * shards and deltas are serialized, instead of being parsed only to be stringified again. Made when first
 * needed, so a snapshot taken on a commit's path costs nothing until a checkpoint writes it; what it reads
 * must not change meanwhile (the rows are frozen and replaced, never edited).
 */
export class JsonText {
  readonly #make: () => string;

  constructor(make: () => string) {
    this.#make = make;
  }

  get text(): string {
    return this.#make();
  }
}

/** The JSON of a table's shard or delta. */
export function toJson(data: unknown): string {
  return data instanceof JsonText ? data.text : JSON.stringify(data);
}
