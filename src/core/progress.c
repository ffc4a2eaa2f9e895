/* progress.c - terminal progress bar (see progress.h). */
#include "core/progress.h"

#include <stdio.h>
#include <unistd.h>

#include "core/timefmt.h"

#define BAR_WIDTH 30

void ent_progress_init(struct ent_progress *p, const char *label, uint64_t total, bool want)
{
	p->enabled = want && isatty(STDERR_FILENO);
	p->shown = false;
	p->label = label;
	p->total = total;
	p->start_ns = ent_time_mono_ns();
	p->last_ns = p->start_ns;
	p->calls = 0;
}

void ent_progress_update(struct ent_progress *p, uint64_t done, const char *extra)
{
	char bar[BAR_WIDTH + 1];
	uint64_t now;
	double elapsed, pct = 0;
	int fill = 0;

	if (!p->enabled || (++p->calls & 255) != 0)
		return;
	now = ent_time_mono_ns();
	if (now - p->start_ns < 1000000000ULL || now - p->last_ns < 100000000ULL)
		return;
	p->last_ns = now;
	elapsed = (double)(now - p->start_ns) / 1e9;
	if (p->total > 0) {
		pct = (double)done / (double)p->total;
		if (pct > 1)
			pct = 1;
		fill = (int)(pct * BAR_WIDTH);
	}
	for (int i = 0; i < BAR_WIDTH; i++)
		bar[i] = i < fill ? '#' : '.';
	bar[BAR_WIDTH] = '\0';
	fprintf(stderr, "\r\033[K%s [%s] %3.0f%% %.1f MB/s %s", p->label, bar, pct * 100,
	        (double)done / 1e6 / elapsed, extra ? extra : "");
	fflush(stderr);
	p->shown = true;
}

void ent_progress_end(struct ent_progress *p)
{
	if (p->shown) {
		fprintf(stderr, "\r\033[K");
		fflush(stderr);
	}
	p->shown = false;
}
