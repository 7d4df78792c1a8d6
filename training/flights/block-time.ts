/**
 * Scheduled block time (gate to gate) of a flight, estimated from its distance: a fixed 30 min
 * for taxi, climb and descent plus cruise at 480 mph, i.e. 30 + 0.125 · miles. (ATL→SAV, 215
 * mi: 57 min; LAS→PHL, 2,176 mi: 302 min; airline schedules say about 60 and 285.)
 */
export const blockOverheadMin = 30;
export const cruiseMph = 480;

export const blockMinutes = (distanceMiles: number): number => blockOverheadMin + (distanceMiles * 60) / cruiseMph;

/** The same formula as a SQL expression over a distance column, for set-based imports. */
export const blockMinutesSql = (column: string): string => `(${blockOverheadMin} + ${column} * 60.0 / ${cruiseMph})`;
