/* timefmt.c - strict STIX timestamp parsing and formatting (see timefmt.h). */
#include "core/timefmt.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static bool digits(const char *s, size_t n, int *out)
{
	int v = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int days_in_month(int y, int m)
{
	static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : dm[m - 1];
}

int ent_time_parse(const char *s, size_t len, int64_t *ms_out)
{
	int64_t us;
	int rc = ent_time_parse_us(s, len, &us);

	if (rc == ENT_OK)
		*ms_out = us >= 0 ? us / 1000 : -((-us + 999) / 1000);
	return rc;
}

int ent_time_parse_us(const char *s, size_t len, int64_t *us_out)
{
	int y, mo, d, h, mi, sec, ms = 0;
	size_t i;

	if (len < 20 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't') ||
	    s[13] != ':' || s[16] != ':')
		return ENT_EINVAL;
	if (!digits(s, 4, &y) || !digits(s + 5, 2, &mo) || !digits(s + 8, 2, &d) ||
	    !digits(s + 11, 2, &h) || !digits(s + 14, 2, &mi) || !digits(s + 17, 2, &sec))
		return ENT_EINVAL;
	if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 || sec > 60)
		return ENT_EINVAL;
	i = 19;
	if (s[i] == '.') {
		size_t start = ++i;

		while (i < len && s[i] >= '0' && s[i] <= '9') {
			if (i - start < 6)
				ms = ms * 10 + (s[i] - '0');
			i++;
		}
		if (i == start)
			return ENT_EINVAL;
		for (size_t k = i - start; k < 6; k++)
			ms *= 10;
	}
	if (i + 1 != len || (s[i] != 'Z' && s[i] != 'z'))
		return ENT_EINVAL;
	if (sec == 60) /* a leap second is folded into the next second */
		sec = 59, ms = 999999;
	/* ms holds microseconds here */
	*us_out =
	    (((days_from_civil(y, mo, d) * 24 + h) * 60 + mi) * 60000LL + sec * 1000LL) * 1000 + ms;
	return ENT_OK;
}

void ent_time_format(int64_t ms, char out[ENT_TIME_STRLEN])
{
	int64_t days = ms >= 0 ? ms / 86400000 : -((-ms + 86399999) / 86400000);
	int64_t rem = ms - days * 86400000;
	int64_t z = days + 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t y = yoe + era * 400;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	int64_t d = doy - (153 * mp + 2) / 5 + 1;
	int64_t m = mp + (mp < 10 ? 3 : -9);

	y += m <= 2;
	snprintf(out, ENT_TIME_STRLEN, "%04lld-%02lld-%02lldT%02lld:%02lld:%02lld.%03lldZ",
	         (long long)y, (long long)m, (long long)d, (long long)(rem / 3600000),
	         (long long)(rem / 60000 % 60), (long long)(rem / 1000 % 60),
	         (long long)(rem % 1000));
}

int64_t ent_time_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

uint64_t ent_time_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

void ent_time_format_us(int64_t us, char out[ENT_TIME_STRLEN])
{
	int64_t ms = us >= 0 ? us / 1000 : -((-us + 999) / 1000);
	size_t n;

	ent_time_format(ms, out);
	/* "....mmmZ" -> "....mmmuuuZ" */
	n = strlen(out);
	snprintf(out + n - 1, ENT_TIME_STRLEN - (n - 1), "%03dZ", (int)(us - ms * 1000));
}

int64_t ent_time_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}
