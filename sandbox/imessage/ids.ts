import { randomBytes, randomUUID } from 'node:crypto';

/** A resource id with its messages.dev prefix (`msg_`, `cht_`, `obx_`, …) and random hex. */
export function newId(prefix: string): string {
  return `${prefix}_${randomBytes(12).toString('hex')}`;
}

/** A webhook delivery id: `dlv_` + 32 hex (a uuid without dashes). */
export function newDeliveryId(): string {
  return `dlv_${randomUUID().replaceAll('-', '')}`;
}

/** An Apple-style message GUID (uppercase uuid, no prefix). */
export function newGuid(): string {
  return randomUUID().toUpperCase();
}

export function newRequestId(): string {
  return `req_${randomBytes(12).toString('hex')}`;
}

export function newWebhookSecret(): string {
  return `whsec_${randomBytes(24).toString('hex')}`;
}

/** An unguessable blob token, as a storage URL would carry. */
export function newBlobToken(): string {
  return randomBytes(16).toString('hex');
}
