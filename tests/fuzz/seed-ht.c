// SPDX-License-Identifier: GPL-2.0
/*
 * Writes hypertrace regions for the fuzz-ht-region corpus (make-seeds.sh):
 * a region made by ht_region_init() with events written into the rings the
 * way libhypertrace does (seq = head + 1), one client wrapped, one with
 * drops, one torn record. Usage: seed-ht CLIENTS ARGS ENTRIES FILE
 */
#include <endian.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ht-region.h"

static void emit(unsigned char *map, const struct ht_layout *l, uint32_t c, uint32_t n,
		 uint64_t ts0)
{
	unsigned char *area = ht_client_area(map, l, c);
	struct ht_client *cl = (struct ht_client *)area;
	unsigned char *ring = area + ht_ring_offset(l->num_args);
	uint32_t head = le32toh(cl->head), i, a;

	for (i = 0; i < n; i++, head++) {
		unsigned char *rec = ring + (head & (l->ring_entries - 1)) * l->record_size;
		uint32_t seq = htole32(head + 1), clock = htole32(c & 1);
		uint64_t v = htole64(ts0 + 1000 * i);

		memcpy(rec, &seq, 4);
		memcpy(rec + 4, &clock, 4);
		memcpy(rec + 8, &v, 8);
		for (a = 0; a < l->num_args; a++) {
			v = htole64(0xcafe0000ULL + 16 * i + a);
			memcpy(rec + 16 + 8 * a, &v, 8);
		}
	}
	cl->head = htole32(head);
}

int main(int argc, char **argv)
{
	uint32_t clients, args, entries, c;
	struct ht_layout l;
	unsigned char *map;
	uint64_t size;
	FILE *f;

	if (argc != 5)
		return 2;
	clients = atoi(argv[1]);
	args = atoi(argv[2]);
	entries = atoi(argv[3]);
	size = ht_region_size(clients, args, entries);
	if (!size || !(map = calloc(1, size)))
		return 1;
	ht_region_init(map, clients, args, entries, size, 4242, HT_FLAG_TSC_OK);
	if (ht_region_check(map, size, &l, NULL))
		return 1;
	for (c = 0; c < clients; c++) {
		emit(map, &l, c, c == 1 ? entries + entries / 2 : entries / 2 + c, 1000000 * c);
		if (c == 1)
			((struct ht_client *)ht_client_area(map, &l, c))->drops = htole32(3);
	}
	if (clients > 2) /* a torn record: seq not yet written */
		memset(ht_client_area(map, &l, 2) + ht_ring_offset(args), 0, 4);
	f = fopen(argv[4], "wb");
	if (!f || fwrite(map, 1, size, f) != size || fclose(f))
		return 1;
	free(map);
	return 0;
}
