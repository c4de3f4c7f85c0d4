/**
 * Idempotency keys for every gateway call, derived from our own ids only, so
 * a redelivered event or a retry after a crash between the gateway's answer
 * and our commit sends the same key and gets the first answer back: one
 * authorization per order, one capture, one void, one refund per request.
 */
export const idempotencyKeys = {
  authorize: (orderId: string): string => `pi-authorize-${orderId}`,
  capture: (orderId: string): string => `pi-capture-${orderId}`,
  void: (orderId: string): string => `pi-void-${orderId}`,
  refund: (refundRequestId: string): string => `refund-${refundRequestId}`,
} as const;
