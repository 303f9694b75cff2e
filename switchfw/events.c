/* SPDX-License-Identifier: MIT */
/*
 * events.c - the firmware's event log: a ring of the last
 * SW_EVENT_LOG_SIZE events, numbered 1, 2, ... without reuse, so a reader
 * that remembers the last seq it saw asks for what came after and learns
 * when it fell so far behind that some were overwritten.
 */
#include "switchfw/fw_int.h"

#include <string.h>

static const char *const sw_event_names[SW_EV_TYPE_COUNT] = {
	[SW_EV_BIND] = "bind",
	[SW_EV_HOST_ENABLED] = "host-enabled",
	[SW_EV_UNBIND_START] = "unbind-start",
	[SW_EV_MANAGED_FALLBACK] = "managed-fallback",
	[SW_EV_UNBIND] = "unbind",
	[SW_EV_FLR_DONE] = "flr-done",
	[SW_EV_FLR_TIMEOUT] = "flr-timeout",
	[SW_EV_LINK_UP] = "link-up",
	[SW_EV_LINK_DOWN] = "link-down",
	[SW_EV_VIOLATION] = "violation",
	[SW_EV_HOST_RESET] = "host-reset",
	[SW_EV_CONFIG_SAVED] = "config-saved",
	[SW_EV_CONFIG_RESTORED] = "config-restored",
	[SW_EV_UNBIND_FAILED] = "unbind-failed",
};

const char *sw_event_type_name(enum sw_event_type type)
{
	if ((unsigned)type >= SW_EV_TYPE_COUNT)
		return "unknown";
	return sw_event_names[type];
}

void sw_event_log(struct sw_fw *fw, enum sw_event_type type, int partition,
		  int vppb, unsigned chip, unsigned port, uint32_t fid,
		  uint64_t detail)
{
	struct sw_event *ev;

	fw->seq++;
	ev = &fw->ring[(fw->seq - 1) % SW_EVENT_LOG_SIZE];
	*ev = (struct sw_event){
		.seq = fw->seq,
		.time_ns = fw->nchips ? sw_chip_now(&fw->chip[0]) : 0,
		.type = (uint16_t)type,
		.partition = (int16_t)partition,
		.vppb = (int16_t)vppb,
		.chip = (uint8_t)chip,
		.port = (uint8_t)port,
		.fid = fid,
		.detail = detail,
	};
	FM_LOG(FM_LOG_DEBUG,
	       "sw event %llu: %s part %d vppb %d chip %u port %u fid %#x "
	       "detail %#llx",
	       (unsigned long long)ev->seq, sw_event_type_name(type), partition,
	       vppb, chip, port, fid, (unsigned long long)detail);
	if (fw->notify)
		fw->notify(fw->notify_ctx, ev);
}

void sw_event_fn(struct sw_fw *fw, enum sw_event_type type,
		 const struct sw_fn *fn)
{
	const struct sw_vppb *v = fn->vppb;

	sw_event_log(fw, type, v ? (int)v->part->id : -1,
		     v ? (int)v->index : -1, fn->dev->chip->index,
		     fn->dev->port, fn->fid, 0);
}

unsigned sw_fw_events(struct sw_fw *fw, uint64_t since, struct sw_event *out,
		      unsigned max, bool *overflow)
{
	uint64_t oldest, first;
	unsigned n = 0;

	oldest = fw->seq > SW_EVENT_LOG_SIZE ? fw->seq - SW_EVENT_LOG_SIZE + 1
					     : 1;
	first = since + 1;
	if (overflow)
		*overflow = first < oldest;
	if (first < oldest)
		first = oldest;
	for (uint64_t s = first; s <= fw->seq && n < max; s++)
		out[n++] = fw->ring[(s - 1) % SW_EVENT_LOG_SIZE];
	return n;
}

uint64_t sw_fw_last_event_seq(const struct sw_fw *fw)
{
	return fw->seq;
}

void sw_fw_set_notify(struct sw_fw *fw, sw_event_notify_fn *fn, void *ctx)
{
	fw->notify = fn;
	fw->notify_ctx = fn ? ctx : NULL;
}
