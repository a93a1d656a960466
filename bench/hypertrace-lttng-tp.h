/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The LTTng-UST peer of bench/hypertrace: one tracepoint with 4 uint64
 * arguments, as a hypertrace event has. Hand-written rather than made by
 * lttng-gen-tp at build time: it is four lines, and the build stays plain.
 */
#undef LTTNG_UST_TRACEPOINT_PROVIDER
#define LTTNG_UST_TRACEPOINT_PROVIDER vtrace_bench
#undef LTTNG_UST_TRACEPOINT_INCLUDE
#define LTTNG_UST_TRACEPOINT_INCLUDE "hypertrace-lttng-tp.h"

#if !defined(VT_HYPERTRACE_LTTNG_TP_H) || defined(LTTNG_UST_TRACEPOINT_HEADER_MULTI_READ)
#define VT_HYPERTRACE_LTTNG_TP_H

#include <stdint.h>
#include <lttng/tracepoint.h>

LTTNG_UST_TRACEPOINT_EVENT(
	vtrace_bench, event,
	LTTNG_UST_TP_ARGS(uint64_t, a1, uint64_t, a2, uint64_t, a3, uint64_t, a4),
	LTTNG_UST_TP_FIELDS(lttng_ust_field_integer(uint64_t, a1, a1)
				    lttng_ust_field_integer(uint64_t, a2, a2)
					    lttng_ust_field_integer(uint64_t, a3, a3)
						    lttng_ust_field_integer(uint64_t, a4, a4)))

#endif

#include <lttng/tracepoint-event.h>
