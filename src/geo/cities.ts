/**
 * The embedded list of world metro areas (see cities.data.ts for source and
 * licence) and great-circle distances.
 */
import { CITIES_DATA } from './cities.data.js';

export type Continent = 'AF' | 'AS' | 'EU' | 'NA' | 'OC' | 'SA' | 'AN';

export interface City {
  name: string;
  country: string;
  continent: Continent;
  lat: number;
  lon: number;
  population: number;
}

let cache: City[] | undefined;

/** All embedded cities, largest first. Parsed once (immutable data, not state). */
export function worldCities(): readonly City[] {
  if (!cache) {
    cache = CITIES_DATA.trim()
      .split('\n')
      .map((line) => {
        const [name, country, continent, lat, lon, population] = line.split('|');
        return { name, country, continent: continent as Continent, lat: Number(lat), lon: Number(lon), population: Number(population) };
      });
  }
  return cache;
}

const EARTH_RADIUS_KM = 6371.0088;
const RAD = Math.PI / 180;

/** Great-circle distance in km (haversine). */
export function greatCircleKm(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const dLat = (lat2 - lat1) * RAD;
  const dLon = (lon2 - lon1) * RAD;
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * RAD) * Math.cos(lat2 * RAD) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(a)));
}
