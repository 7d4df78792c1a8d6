/**
 * Redis pub/sub channel on which a tenant's new alert events are announced after commit. It
 * only wakes SSE streams up: they read the events themselves from the durable log, so a lost
 * announcement delays an event (until the stream's next poll) but never loses it.
 */
export const alertChannelPrefix = 'flowcast:alert-events:';
export const alertChannel = (tenant: string): string => `${alertChannelPrefix}${tenant}`;
