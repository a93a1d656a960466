// SPDX-License-Identifier: GPL-2.0
/*
 * What the host reads from agent-ctl-path.out: a stream of replies, each a
 * VTRP header (lib/proto.c) and its payload. As vtrace does: the header is
 * checked, the payload copied NUL-terminated; a META payload walked record
 * by record (vt_meta_next), parsed by host/meta.c, and written as a
 * trace.dat header (v6) and a whole empty v7 file into a memfd, since
 * everything it holds comes from the guest; a later META taken as the
 * end-of-run metadata (meta_parse_end) and the files written again; text
 * payloads searched with vt_kv_get and escaped for messages.
 */
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"
#include "order.h"
#include "vtrace.h"

static int dat_fd = -1;

static void walk_meta(const unsigned char *p, size_t len)
{
	struct vt_meta_rec rec;
	size_t off = 0, prev = 0;
	int ret;

	while ((ret = vt_meta_next(p, len, &off, &rec)) == 1) {
		FUZZ_CHECK(rec.data >= p + prev + VT_META_REC_HDR_SIZE);
		FUZZ_CHECK(rec.data + rec.len <= p + len);
		FUZZ_CHECK(off > prev && off <= len);
		prev = off;
	}
	FUZZ_CHECK(ret == 0 || ret == -1);
}

static void write_dat(struct guest_meta *gm)
{
	uint64_t table, data_off, sizes[MAX_CPUS] = { 0 }, offs[MAX_CPUS] = { 0 };
	int fds[MAX_CPUS], i;

	if (dat_fd < 0)
		dat_fd = memfd_create("fuzz-reply", 0);
	FUZZ_CHECK(dat_fd >= 0);
	ftruncate(dat_fd, 0);
	lseek(dat_fd, 0, SEEK_SET);
	FUZZ_CHECK(!vt_dat_write_header(dat_fd, &gm->dat, &table, &data_off));
	FUZZ_CHECK(data_off % gm->dat.subbuf_size == 0 && data_off >= table);
	for (i = 0; i < gm->dat.nr_cpus; i++)
		fds[i] = -1;
	ftruncate(dat_fd, 0);
	lseek(dat_fd, 0, SEEK_SET);
	FUZZ_CHECK(!vt_dat_write_v7(dat_fd, &gm->dat, fds, offs, sizes));
}

static void text_reply(const char *text, size_t len)
{
	static const char *const keys[] = { "state", "subbuf_size", "cpu0", "nr_cpus", "" };
	char v[64], shown[256];
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (!vt_kv_get(text, len, keys[i], v, sizeof(v)))
			FUZZ_CHECK(strlen(v) < sizeof(v));
	vt_escape(text, len, shown, sizeof(shown)); /* as ask() shows an ERR */
	FUZZ_CHECK(strlen(shown) < sizeof(shown));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct guest_meta gm;
	bool have_meta = false;
	struct vt_reply r;
	char err[256], *payload;
	size_t off = 0;

	while (size - off >= VT_REPLY_HDR_SIZE) {
		if (vt_reply_parse_header(data + off, &r, err, sizeof(err))) {
			FUZZ_CHECK(strlen(err) > 0);
			break;
		}
		FUZZ_CHECK(r.length <= VT_REPLY_MAX);
		off += VT_REPLY_HDR_SIZE;
		if (r.length > size - off)
			break;			/* "reply cut short" */
		payload = malloc(r.length + 1); /* as channel_read_reply() */
		FUZZ_CHECK(payload);
		memcpy(payload, data + off, r.length);
		payload[r.length] = '\0';
		off += r.length;
		if (r.type != VT_REPLY_META) {
			text_reply(payload, r.length);
			free(payload);
			continue;
		}
		walk_meta((unsigned char *)payload, r.length);
		if (have_meta) { /* as the reply to "end" (it takes the payload) */
			if (meta_parse_end(&gm, payload, r.length, err, sizeof(err)))
				FUZZ_CHECK(strlen(err) > 0);
			else
				write_dat(&gm);
			continue;
		}
		if (meta_parse(&gm, payload, r.length, err, sizeof(err))) {
			FUZZ_CHECK(strlen(err) > 0);
			meta_free(&gm); /* frees the payload too */
			continue;
		}
		FUZZ_CHECK(gm.dat.nr_cpus >= 1 && gm.dat.nr_cpus <= MAX_CPUS);
		FUZZ_CHECK(gm.nr_streamed >= 1);
		write_dat(&gm);
		have_meta = true;
	}
	if (have_meta)
		meta_free(&gm);
	return 0;
}
