/** Great-circle helpers on a spherical Earth (good to a few tenths of a percent at road scale). */
const earthRadiusKm = 6371.0088;
const rad = Math.PI / 180;

export interface LatLon {
  lat: number;
  lon: number;
}

export function distanceKm(a: LatLon, b: LatLon): number {
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * earthRadiusKm * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** Initial bearing from a to b, degrees clockwise from north in [0, 360). */
export function bearingDeg(a: LatLon, b: LatLon): number {
  const y = Math.sin((b.lon - a.lon) * rad) * Math.cos(b.lat * rad);
  const x = Math.cos(a.lat * rad) * Math.sin(b.lat * rad) - Math.sin(a.lat * rad) * Math.cos(b.lat * rad) * Math.cos((b.lon - a.lon) * rad);
  return ((Math.atan2(y, x) / rad) % 360 + 360) % 360;
}

/** The point a fraction f of the way from a to b; linear in degrees, fine for one road segment. */
export function interpolate(a: LatLon, b: LatLon, f: number): LatLon {
  return { lat: a.lat + (b.lat - a.lat) * f, lon: a.lon + (b.lon - a.lon) * f };
}

/** The point at distanceKm and bearing from a (flat-Earth offset: drones stay within a few km). */
export function offsetKm(a: LatLon, km: number, bearing: number): LatLon {
  const dLat = (km * Math.cos(bearing * rad)) / 111.32;
  const dLon = (km * Math.sin(bearing * rad)) / (111.32 * Math.cos(a.lat * rad));
  return { lat: a.lat + dLat, lon: a.lon + dLon };
}
