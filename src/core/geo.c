/*
 * geo.c - distances on the Earth (geo.h). The haversine on a sphere of
 * the Earth's mean radius: within 0.5% of the ellipsoid everywhere, far
 * closer than a postcode centroid is to anybody's door.
 */
#include "core/common.h"
#include "core/geo.h"

#include <math.h>

#define EARTH_RADIUS_M 6371008.8   /* mean radius (IUGG) */

double geo_distance_m(double lat1, double lon1, double lat2, double lon2)
{
	const double rad = M_PI / 180.0;
	double dlat = (lat2 - lat1) * rad, dlon = (lon2 - lon1) * rad;
	double s1 = sin(dlat * 0.5), s2 = sin(dlon * 0.5);
	double a = s1 * s1 + cos(lat1 * rad) * cos(lat2 * rad) * s2 * s2;

	if (a > 1)
		a = 1;
	return 2.0 * EARTH_RADIUS_M * asin(sqrt(a));
}

double geo_miles(double metres)
{
	return metres / GEO_METRES_PER_MILE;
}
