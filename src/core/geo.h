/*
 * geo.h - distances on the Earth, for search (src/search/) and matching
 * (src/match/): points are WGS84 latitude and longitude in degrees.
 */
#ifndef KITH_GEO_H
#define KITH_GEO_H

#define GEO_METRES_PER_MILE 1609.344

/* Great-circle distance in metres (haversine, mean Earth radius). */
double geo_distance_m(double lat1, double lon1, double lat2, double lon2);
/* Metres to miles, for people. */
double geo_miles(double metres);

#endif
