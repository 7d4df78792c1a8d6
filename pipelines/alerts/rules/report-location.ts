import type { Report } from '../../../core/report';
import type { AlertLocation } from '../alert';

/** The report's own position as an alert location, or null when it carries none. */
export const reportLocation = (report: Report): AlertLocation | null =>
  report.location ? { lat: report.location.lat, lon: report.location.lon, ts: report.ts } : null;
