// SPDX-License-Identifier: GPL-2.0
/*
 * A hypertrace region as a hostile guest may leave it (lib/ht-region.c):
 * the input is the whole region, header and client areas, copied to an
 * aligned buffer of exactly its size. As the collector does: ht_region_check
 * first, then for each client ht_update_drops and ht_consume in batches,
 * twice over (the second pass sees the ring the first one left). Every
 * event handed out is checked against the layout, and its clock and stamp,
 * the guest's to forge, go through lib/ht-clock.c as the collector's do:
 * the user-mode TSC map and the system-mode guest-offset bracket.
 */
#include <string.h>

#include "fuzz.h"
#include "ht-clock.h"
#include "ht-region.h"

struct seen {
	const struct ht_layout *l;
	struct ht_clock *user, *sys;
	uint32_t client;
	uint64_t next_seq;
	int n;
};

static void on_event(const struct ht_event *ev, void *ctx)
{
	struct seen *s = ctx;

	FUZZ_CHECK(ev->client == s->client);
	FUZZ_CHECK(ev->num_args == s->l->num_args && ev->num_args <= HT_MAX_ARGS);
	FUZZ_CHECK(ev->seq >= s->next_seq); /* in order; skipped records leave gaps */
	FUZZ_CHECK(ev->ts == ev->raw_ts);
	ht_clock_to_mono(s->user, ev->clock, ev->raw_ts);
	ht_clock_observe(s->sys, ev->clock, ev->raw_ts);
	ht_clock_to_mono(s->sys, ev->clock, ev->raw_ts);
	s->next_seq = ev->seq + 1;
	s->n++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ht_clock user0, sys0; /* calibrated once: it sleeps */
	static int calibrated;
	struct ht_clock user, sys;
	struct ht_cursor cur;
	struct ht_layout l;
	struct seen s;
	const char *why = NULL;
	void *map;
	uint32_t c;
	int pass, got, rounds;

	if (!calibrated) {
		ht_clock_init(&user0);
		sys0 = user0;
		ht_clock_system(&sys0);
		calibrated = 1;
	}
	user = user0; /* each input from the same state */
	sys = sys0;
	if (posix_memalign(&map, HT_CACHE_LINE, size ? size : 1))
		return 0;
	memcpy(map, data, size);
	if (ht_region_check(map, size, &l, &why)) {
		FUZZ_CHECK(why && *why);
		free(map);
		return 0;
	}
	FUZZ_CHECK(l.client_offset + (uint64_t)l.max_clients * l.client_stride <= size);
	FUZZ_CHECK(ht_ring_offset(l.num_args) + l.ring_entries * l.record_size <= l.client_stride);
	for (c = 0; c < l.max_clients; c++) {
		memset(&cur, 0, sizeof(cur));
		memset(&s, 0, sizeof(s));
		s.l = &l;
		s.user = &user;
		s.sys = &sys;
		s.client = c;
		for (pass = 0; pass < 2; pass++) {
			ht_clock_round(&sys);
			ht_update_drops(map, &l, c, &cur);
			/* batches of 3: the collector takes a bounded number per poll */
			for (rounds = 0; rounds < 1 + (int)l.ring_entries; rounds++) {
				got = ht_consume(map, &l, c, &cur, 3, on_event, &s);
				FUZZ_CHECK(got >= -1 && got <= 3);
				if (got <= 0)
					break;
			}
		}
		FUZZ_CHECK(cur.skipped <= cur.taken);
	}
	free(map);
	return 0;
}
