import { hostname } from 'node:os';

/** A replica's name for operators: the host (a container's is its id) and the process. */
export function replicaName(): string {
  return `${hostname()}#${process.pid}`;
}
