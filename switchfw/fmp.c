/* SPDX-License-Identifier: MIT */
/*
 * fmp.c - the FMP wire codec, status mapping, and the firmware-side
 * dispatcher: one table indexed by opcode, one function that validates a
 * request against it, handlers that only translate to sw_fw_*() calls.
 */
#include "switchfw/fmp.h"

#include <stdio.h>
#include <string.h>

/* ---------------------------------------------------------------------
 * Wire layouts.  Each struct in fmp.h is laid out exactly as on the wire;
 * these asserts pin sizes and offsets to the documentation (schemas/
 * fmp.md), and the layout tables below name every byte.
 */
#define FMP_ASSERT_SIZE(T, n) _Static_assert(sizeof(T) == (n), #T " size")
#define FMP_ASSERT_OFF(T, m, n)                                                \
	_Static_assert(offsetof(T, m) == (n), #T "." #m " offset")

FMP_ASSERT_SIZE(struct sw_fmp_hdr, SW_FMP_HDR_SIZE);
FMP_ASSERT_OFF(struct sw_fmp_hdr, opcode, 2);
FMP_ASSERT_OFF(struct sw_fmp_hdr, tag, 4);
FMP_ASSERT_OFF(struct sw_fmp_hdr, length, 8);
FMP_ASSERT_OFF(struct sw_fmp_hdr, status, 12);
FMP_ASSERT_SIZE(struct sw_fmp_identify_rsp, 64);
FMP_ASSERT_OFF(struct sw_fmp_identify_rsp, vendor, 32);
FMP_ASSERT_OFF(struct sw_fmp_identify_rsp, fw_version, 36);
FMP_ASSERT_OFF(struct sw_fmp_identify_rsp, nfunctions, 48);
FMP_ASSERT_OFF(struct sw_fmp_identify_rsp, last_event_seq, 56);
FMP_ASSERT_SIZE(struct sw_fmp_port_req, 4);
FMP_ASSERT_SIZE(struct sw_fmp_port_state_rsp, 56);
FMP_ASSERT_OFF(struct sw_fmp_port_state_rsp, speed, 4);
FMP_ASSERT_OFF(struct sw_fmp_port_state_rsp, tlp_in, 8);
FMP_ASSERT_OFF(struct sw_fmp_port_state_rsp, link_downs, 48);
FMP_ASSERT_SIZE(struct sw_fmp_port_control_req, 4);
FMP_ASSERT_OFF(struct sw_fmp_port_control_req, ctl, 2);
FMP_ASSERT_SIZE(struct sw_fmp_list_req, 8);
FMP_ASSERT_OFF(struct sw_fmp_list_req, count, 4);
FMP_ASSERT_SIZE(struct sw_fmp_list_rsp, 8);
FMP_ASSERT_SIZE(struct sw_fmp_fn, 32);
FMP_ASSERT_OFF(struct sw_fmp_fn, flags, 10);
FMP_ASSERT_OFF(struct sw_fmp_fn, class_code, 12);
FMP_ASSERT_OFF(struct sw_fmp_fn, vf_device, 24);
FMP_ASSERT_OFF(struct sw_fmp_fn, partition, 26);
FMP_ASSERT_OFF(struct sw_fmp_fn, vppb, 28);
FMP_ASSERT_SIZE(struct sw_fmp_part_req, 4);
FMP_ASSERT_SIZE(struct sw_fmp_part_rsp, 8);
FMP_ASSERT_OFF(struct sw_fmp_part_rsp, nvppbs, 6);
FMP_ASSERT_SIZE(struct sw_fmp_vppb, 8);
FMP_ASSERT_OFF(struct sw_fmp_vppb, state, 4);
FMP_ASSERT_SIZE(struct sw_fmp_bind_req, 8);
FMP_ASSERT_OFF(struct sw_fmp_bind_req, partition, 4);
FMP_ASSERT_OFF(struct sw_fmp_bind_req, vppb, 6);
FMP_ASSERT_SIZE(struct sw_fmp_bind_rsp, 4);
FMP_ASSERT_SIZE(struct sw_fmp_unbind_req, 8);
FMP_ASSERT_OFF(struct sw_fmp_unbind_req, mode, 4);
FMP_ASSERT_SIZE(struct sw_fmp_fid_req, 4);
FMP_ASSERT_SIZE(struct sw_fmp_events_req, 16);
FMP_ASSERT_OFF(struct sw_fmp_events_req, count, 8);
FMP_ASSERT_SIZE(struct sw_fmp_events_rsp, 16);
FMP_ASSERT_OFF(struct sw_fmp_events_rsp, flags, 10);
FMP_ASSERT_SIZE(struct sw_fmp_event, 40);
FMP_ASSERT_OFF(struct sw_fmp_event, type, 16);
FMP_ASSERT_OFF(struct sw_fmp_event, chip, 22);
FMP_ASSERT_OFF(struct sw_fmp_event, fid, 24);
FMP_ASSERT_OFF(struct sw_fmp_event, detail, 32);
_Static_assert(SW_MAX_VPPBS <= 255, "nvppbs is one byte on the wire");
_Static_assert(SW_FMP_MAX_MSG <= UINT16_MAX, "max_msg is 16 bits");
_Static_assert(SW_FMP_EV_PAGE_MAX >= 64, "event pages too small");

#define FMP_FIELD(T, m, k, r, mx)                                              \
	{                                                                      \
		.name = #m, .off = offsetof(T, m),                             \
		.size = sizeof(((T *)0)->m), .kind = k, .range = r, .max = mx  \
	}
#define FMP_U(T, m) FMP_FIELD(T, m, SW_FMP_F_UINT, SW_FMP_RANGE_NONE, 0)
#define FMP_B(T, m) FMP_FIELD(T, m, SW_FMP_F_BYTES, SW_FMP_RANGE_NONE, 0)
#define FMP_RSVD(T, m) FMP_FIELD(T, m, SW_FMP_F_RSVD, SW_FMP_RANGE_NONE, 0)
#define FMP_IN(T, m, range) FMP_FIELD(T, m, SW_FMP_F_UINT, range, 0)
#define FMP_MAX(T, m, max) FMP_FIELD(T, m, SW_FMP_F_UINT, SW_FMP_RANGE_MAX, max)
#define FMP_LAYOUT(T, nm)                                                      \
	const struct sw_fmp_layout sw_fmp_layout_##nm = {                      \
		#nm, sizeof(T), FM_ARRAY_SIZE(fmp_f_##nm), fmp_f_##nm          \
	}

static const struct sw_fmp_field fmp_f_hdr[] = {
	FMP_U(struct sw_fmp_hdr, version),     FMP_U(struct sw_fmp_hdr, flags),
	FMP_U(struct sw_fmp_hdr, opcode),      FMP_U(struct sw_fmp_hdr, tag),
	FMP_U(struct sw_fmp_hdr, length),      FMP_U(struct sw_fmp_hdr, status),
	FMP_RSVD(struct sw_fmp_hdr, reserved),
};
FMP_LAYOUT(struct sw_fmp_hdr, hdr);

static const struct sw_fmp_field fmp_f_identify_rsp[] = {
	FMP_B(struct sw_fmp_identify_rsp, name),
	FMP_U(struct sw_fmp_identify_rsp, vendor),
	FMP_U(struct sw_fmp_identify_rsp, device),
	FMP_U(struct sw_fmp_identify_rsp, fw_version),
	FMP_U(struct sw_fmp_identify_rsp, nchips),
	FMP_U(struct sw_fmp_identify_rsp, nports),
	FMP_U(struct sw_fmp_identify_rsp, npartitions),
	FMP_U(struct sw_fmp_identify_rsp, vppbs),
	FMP_U(struct sw_fmp_identify_rsp, nfunctions),
	FMP_U(struct sw_fmp_identify_rsp, fmp_version),
	FMP_U(struct sw_fmp_identify_rsp, max_msg),
	FMP_U(struct sw_fmp_identify_rsp, last_event_seq),
};
FMP_LAYOUT(struct sw_fmp_identify_rsp, identify_rsp);

static const struct sw_fmp_field fmp_f_port_req[] = {
	FMP_IN(struct sw_fmp_port_req, chip, SW_FMP_RANGE_CHIP),
	FMP_U(struct sw_fmp_port_req, port),
	FMP_RSVD(struct sw_fmp_port_req, reserved),
};
FMP_LAYOUT(struct sw_fmp_port_req, port_req);

static const struct sw_fmp_field fmp_f_port_state_rsp[] = {
	FMP_U(struct sw_fmp_port_state_rsp, chip),
	FMP_U(struct sw_fmp_port_state_rsp, port),
	FMP_U(struct sw_fmp_port_state_rsp, flags),
	FMP_U(struct sw_fmp_port_state_rsp, width),
	FMP_U(struct sw_fmp_port_state_rsp, speed),
	FMP_RSVD(struct sw_fmp_port_state_rsp, reserved),
	FMP_U(struct sw_fmp_port_state_rsp, tlp_in),
	FMP_U(struct sw_fmp_port_state_rsp, tlp_out),
	FMP_U(struct sw_fmp_port_state_rsp, dropped),
	FMP_U(struct sw_fmp_port_state_rsp, ur),
	FMP_U(struct sw_fmp_port_state_rsp, trapped),
	FMP_U(struct sw_fmp_port_state_rsp, link_downs),
};
FMP_LAYOUT(struct sw_fmp_port_state_rsp, port_state_rsp);

static const struct sw_fmp_field fmp_f_port_control_req[] = {
	FMP_IN(struct sw_fmp_port_control_req, chip, SW_FMP_RANGE_CHIP),
	FMP_U(struct sw_fmp_port_control_req, port),
	FMP_MAX(struct sw_fmp_port_control_req, ctl, FAB_PORT_CTL_RESET),
	FMP_RSVD(struct sw_fmp_port_control_req, reserved),
};
FMP_LAYOUT(struct sw_fmp_port_control_req, port_control_req);

static const struct sw_fmp_field fmp_f_list_req[] = {
	FMP_IN(struct sw_fmp_list_req, start, SW_FMP_RANGE_FN_START),
	FMP_U(struct sw_fmp_list_req, count),
	FMP_RSVD(struct sw_fmp_list_req, reserved),
};
FMP_LAYOUT(struct sw_fmp_list_req, list_req);

static const struct sw_fmp_field fmp_f_list_rsp[] = {
	FMP_U(struct sw_fmp_list_rsp, total),
	FMP_U(struct sw_fmp_list_rsp, count),
	FMP_RSVD(struct sw_fmp_list_rsp, reserved),
};
FMP_LAYOUT(struct sw_fmp_list_rsp, list_rsp);

static const struct sw_fmp_field fmp_f_fn[] = {
	FMP_U(struct sw_fmp_fn, fid),
	FMP_U(struct sw_fmp_fn, phys_rid),
	FMP_U(struct sw_fmp_fn, vendor),
	FMP_U(struct sw_fmp_fn, device),
	FMP_U(struct sw_fmp_fn, flags),
	FMP_U(struct sw_fmp_fn, state),
	FMP_U(struct sw_fmp_fn, class_code),
	FMP_U(struct sw_fmp_fn, total_vfs),
	FMP_U(struct sw_fmp_fn, num_vfs),
	FMP_U(struct sw_fmp_fn, vf_offset),
	FMP_U(struct sw_fmp_fn, vf_stride),
	FMP_U(struct sw_fmp_fn, vf_device),
	FMP_U(struct sw_fmp_fn, partition),
	FMP_U(struct sw_fmp_fn, vppb),
	FMP_RSVD(struct sw_fmp_fn, reserved),
};
FMP_LAYOUT(struct sw_fmp_fn, fn);

static const struct sw_fmp_field fmp_f_part_req[] = {
	FMP_IN(struct sw_fmp_part_req, partition, SW_FMP_RANGE_PARTITION),
	FMP_RSVD(struct sw_fmp_part_req, reserved),
};
FMP_LAYOUT(struct sw_fmp_part_req, part_req);

static const struct sw_fmp_field fmp_f_part_rsp[] = {
	FMP_U(struct sw_fmp_part_rsp, id),
	FMP_U(struct sw_fmp_part_rsp, chip),
	FMP_U(struct sw_fmp_part_rsp, port),
	FMP_U(struct sw_fmp_part_rsp, flags),
	FMP_U(struct sw_fmp_part_rsp, host_bus),
	FMP_U(struct sw_fmp_part_rsp, nvppbs),
	FMP_RSVD(struct sw_fmp_part_rsp, reserved),
};
FMP_LAYOUT(struct sw_fmp_part_rsp, part_rsp);

static const struct sw_fmp_field fmp_f_vppb[] = {
	FMP_U(struct sw_fmp_vppb, fid),
	FMP_U(struct sw_fmp_vppb, state),
	FMP_U(struct sw_fmp_vppb, sec_bus),
	FMP_U(struct sw_fmp_vppb, flags),
	FMP_RSVD(struct sw_fmp_vppb, reserved),
};
FMP_LAYOUT(struct sw_fmp_vppb, vppb);

static const struct sw_fmp_field fmp_f_bind_req[] = {
	FMP_U(struct sw_fmp_bind_req, fid),
	FMP_IN(struct sw_fmp_bind_req, partition, SW_FMP_RANGE_PARTITION),
	FMP_IN(struct sw_fmp_bind_req, vppb, SW_FMP_RANGE_VPPB),
};
FMP_LAYOUT(struct sw_fmp_bind_req, bind_req);

static const struct sw_fmp_field fmp_f_bind_rsp[] = {
	FMP_U(struct sw_fmp_bind_rsp, vppb),
	FMP_RSVD(struct sw_fmp_bind_rsp, reserved),
};
FMP_LAYOUT(struct sw_fmp_bind_rsp, bind_rsp);

static const struct sw_fmp_field fmp_f_unbind_req[] = {
	FMP_U(struct sw_fmp_unbind_req, fid),
	FMP_MAX(struct sw_fmp_unbind_req, mode, SW_UNBIND_WAIT_LINK_DOWN),
	FMP_RSVD(struct sw_fmp_unbind_req, reserved),
};
FMP_LAYOUT(struct sw_fmp_unbind_req, unbind_req);

static const struct sw_fmp_field fmp_f_fid_req[] = {
	FMP_U(struct sw_fmp_fid_req, fid),
};
FMP_LAYOUT(struct sw_fmp_fid_req, fid_req);

static const struct sw_fmp_field fmp_f_events_req[] = {
	FMP_U(struct sw_fmp_events_req, since),
	FMP_U(struct sw_fmp_events_req, count),
	FMP_RSVD(struct sw_fmp_events_req, reserved),
};
FMP_LAYOUT(struct sw_fmp_events_req, events_req);

static const struct sw_fmp_field fmp_f_events_rsp[] = {
	FMP_U(struct sw_fmp_events_rsp, last_seq),
	FMP_U(struct sw_fmp_events_rsp, count),
	FMP_U(struct sw_fmp_events_rsp, flags),
	FMP_RSVD(struct sw_fmp_events_rsp, reserved),
};
FMP_LAYOUT(struct sw_fmp_events_rsp, events_rsp);

static const struct sw_fmp_field fmp_f_event[] = {
	FMP_U(struct sw_fmp_event, seq),
	FMP_U(struct sw_fmp_event, time_ns),
	FMP_U(struct sw_fmp_event, type),
	FMP_U(struct sw_fmp_event, partition),
	FMP_U(struct sw_fmp_event, vppb),
	FMP_U(struct sw_fmp_event, chip),
	FMP_U(struct sw_fmp_event, port),
	FMP_U(struct sw_fmp_event, fid),
	FMP_RSVD(struct sw_fmp_event, reserved),
	FMP_U(struct sw_fmp_event, detail),
};
FMP_LAYOUT(struct sw_fmp_event, event);

/* ---------------------------------------------------------------------
 * Codec.
 */
static void fmp_put_le(uint8_t *p, uint64_t v, unsigned size)
{
	for (unsigned i = 0; i < size; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t fmp_get_le(const uint8_t *p, unsigned size)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < size; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

/* The host integer of @size bytes at @p (any alignment). */
static uint64_t fmp_host_load(const void *p, unsigned size)
{
	uint8_t v8;
	uint16_t v16;
	uint32_t v32;
	uint64_t v64;

	switch (size) {
	case 1:
		memcpy(&v8, p, 1);
		return v8;
	case 2:
		memcpy(&v16, p, 2);
		return v16;
	case 4:
		memcpy(&v32, p, 4);
		return v32;
	default:
		memcpy(&v64, p, 8);
		return v64;
	}
}

static void fmp_host_store(void *p, uint64_t v, unsigned size)
{
	uint8_t v8 = (uint8_t)v;
	uint16_t v16 = (uint16_t)v;
	uint32_t v32 = (uint32_t)v;

	switch (size) {
	case 1:
		memcpy(p, &v8, 1);
		break;
	case 2:
		memcpy(p, &v16, 2);
		break;
	case 4:
		memcpy(p, &v32, 4);
		break;
	default:
		memcpy(p, &v, 8);
		break;
	}
}

void sw_fmp_encode(uint8_t *buf, const struct sw_fmp_layout *l, const void *s)
{
	const uint8_t *src = s;

	for (unsigned i = 0; i < l->nfields; i++) {
		const struct sw_fmp_field *f = &l->fields[i];

		switch (f->kind) {
		case SW_FMP_F_UINT:
			fmp_put_le(buf + f->off,
				   fmp_host_load(src + f->off, f->size),
				   f->size);
			break;
		case SW_FMP_F_BYTES:
			memcpy(buf + f->off, src + f->off, f->size);
			break;
		default:
			memset(buf + f->off, 0, f->size);
			break;
		}
	}
}

void sw_fmp_decode(void *s, const struct sw_fmp_layout *l, const uint8_t *buf)
{
	uint8_t *dst = s;

	for (unsigned i = 0; i < l->nfields; i++) {
		const struct sw_fmp_field *f = &l->fields[i];

		if (f->kind == SW_FMP_F_UINT)
			fmp_host_store(dst + f->off,
				       fmp_get_le(buf + f->off, f->size),
				       f->size);
		else
			memcpy(dst + f->off, buf + f->off, f->size);
	}
}

/* ---------------------------------------------------------------------
 * Status codes: names, and the one mapping each way between them and the
 * -FM_E* codes of the firmware API.
 */
struct fmp_status_desc {
	const char *name;
	int err; /* FM_E* a client reports */
};

static const struct fmp_status_desc fmp_statuses[SW_FMP_ST_COUNT] = {
	[SW_FMP_ST_OK] = { "ok", FM_EOK },
	[SW_FMP_ST_BAD_VERSION] = { "bad version", FM_EUNSUPP },
	[SW_FMP_ST_BAD_OPCODE] = { "bad opcode", FM_EUNSUPP },
	[SW_FMP_ST_BAD_LENGTH] = { "bad length", FM_EPARSE },
	[SW_FMP_ST_BAD_FIELD] = { "bad field", FM_EINVAL },
	[SW_FMP_ST_NOT_FOUND] = { "not found", FM_ENOENT },
	[SW_FMP_ST_ALREADY_BOUND] = { "already bound", FM_EEXIST },
	[SW_FMP_ST_NOT_BOUND] = { "not bound", FM_ESTATE },
	[SW_FMP_ST_BUSY] = { "busy", FM_EBUSY },
	[SW_FMP_ST_NO_SPACE] = { "no space", FM_ENOSPC },
	[SW_FMP_ST_STATE] = { "wrong state", FM_ESTATE },
	[SW_FMP_ST_INTERNAL] = { "internal error", FM_EIO },
	[SW_FMP_ST_IO_ERROR] = { "i/o error", FM_EIO },
	[SW_FMP_ST_TIMEOUT] = { "timed out", FM_ETIMEDOUT },
	[SW_FMP_ST_UNSUPPORTED] = { "unsupported", FM_EUNSUPP },
};

/* What the firmware answers for each error of switchfw.h. */
static const uint16_t fmp_status_of_err[FM_ECOUNT] = {
	[FM_EOK] = SW_FMP_ST_OK,
	[FM_EINVAL] = SW_FMP_ST_BAD_FIELD,
	[FM_ENOMEM] = SW_FMP_ST_INTERNAL,
	[FM_ENOENT] = SW_FMP_ST_NOT_FOUND,
	[FM_EEXIST] = SW_FMP_ST_ALREADY_BOUND,
	[FM_EBUSY] = SW_FMP_ST_BUSY,
	[FM_ERANGE] = SW_FMP_ST_BAD_FIELD,
	[FM_EIO] = SW_FMP_ST_IO_ERROR,
	[FM_ESTATE] = SW_FMP_ST_STATE,
	[FM_ETIMEDOUT] = SW_FMP_ST_TIMEOUT,
	[FM_EPARSE] = SW_FMP_ST_BAD_FIELD,
	[FM_ESCHEMA] = SW_FMP_ST_BAD_FIELD,
	[FM_ENOSPC] = SW_FMP_ST_NO_SPACE,
	[FM_EPERM] = SW_FMP_ST_STATE,
	[FM_EUNSUPP] = SW_FMP_ST_UNSUPPORTED,
	[FM_EUNAVAIL] = SW_FMP_ST_IO_ERROR,
};

const char *sw_fmp_status_name(unsigned status)
{
	if (status >= SW_FMP_ST_COUNT)
		return "unknown status";
	return fmp_statuses[status].name;
}

uint16_t sw_fmp_status_from_err(int code)
{
	if (code < 0)
		code = code <= -FM_ECOUNT ? FM_ECOUNT : -code;
	if (code >= FM_ECOUNT)
		return SW_FMP_ST_INTERNAL;
	return fmp_status_of_err[code];
}

int sw_fmp_status_to_err(unsigned status)
{
	if (status >= SW_FMP_ST_COUNT)
		return FM_EIO;
	return fmp_statuses[status].err;
}

/* ---------------------------------------------------------------------
 * Handlers.  Each gets its request decoded and checked (length, reserved
 * fields, ranges), writes its response payload to @rsp (room for
 * SW_FMP_MAX_PAYLOAD bytes) and its length to *len, and returns 0 or the
 * -FM_E* code of the firmware call, which the dispatcher maps to a status.
 */
union fmp_req {
	struct sw_fmp_port_req port;
	struct sw_fmp_port_control_req port_control;
	struct sw_fmp_list_req list;
	struct sw_fmp_part_req part;
	struct sw_fmp_bind_req bind;
	struct sw_fmp_unbind_req unbind;
	struct sw_fmp_fid_req fid;
	struct sw_fmp_events_req events;
};

typedef int fmp_handler_fn(uint8_t *rsp, size_t *len, struct sw_fw *fw,
			   const union fmp_req *req, struct fm_err *err);

static int fmp_h_identify(uint8_t *rsp, size_t *len, struct sw_fw *fw,
			  const union fmp_req *req, struct fm_err *err)
{
	struct sw_fmp_identify_rsp r = { 0 };
	struct sw_identity id;

	(void)req;
	(void)err;
	memset(&id, 0, sizeof(id));
	sw_fw_identify(fw, &id);
	memcpy(r.name, id.name, strnlen(id.name, sizeof(id.name)));
	r.vendor = id.vendor;
	r.device = id.device;
	r.fw_version = id.fw_version;
	r.nchips = (uint16_t)id.nchips;
	r.nports = (uint16_t)id.nports;
	r.npartitions = (uint16_t)id.npartitions;
	r.vppbs = (uint16_t)id.vppbs;
	r.nfunctions = id.nfunctions;
	r.fmp_version = SW_FMP_VERSION;
	r.max_msg = SW_FMP_MAX_MSG;
	r.last_event_seq = sw_fw_last_event_seq(fw);
	sw_fmp_encode(rsp, &sw_fmp_layout_identify_rsp, &r);
	*len = sizeof(r);
	return 0;
}

static int fmp_h_port_state(uint8_t *rsp, size_t *len, struct sw_fw *fw,
			    const union fmp_req *req, struct fm_err *err)
{
	struct sw_fmp_port_state_rsp r = { 0 };
	struct fab_port_status st;
	int ret;

	memset(&st, 0, sizeof(st));
	ret = sw_fw_port_status(fw, req->port.chip, req->port.port, &st, err);
	if (ret < 0)
		return ret;
	r.chip = req->port.chip;
	r.port = req->port.port;
	r.flags = (st.up ? SW_FMP_PORT_UP : 0) |
		  (st.training ? SW_FMP_PORT_TRAINING : 0) |
		  (st.enabled ? SW_FMP_PORT_ENABLED : 0);
	r.width = st.width;
	r.speed = st.speed;
	r.tlp_in = st.counters.tlp_in;
	r.tlp_out = st.counters.tlp_out;
	r.dropped = st.counters.dropped;
	r.ur = st.counters.ur;
	r.trapped = st.counters.trapped;
	r.link_downs = st.counters.link_downs;
	sw_fmp_encode(rsp, &sw_fmp_layout_port_state_rsp, &r);
	*len = sizeof(r);
	return 0;
}

static int fmp_h_port_control(uint8_t *rsp, size_t *len, struct sw_fw *fw,
			      const union fmp_req *req, struct fm_err *err)
{
	const struct sw_fmp_port_control_req *q = &req->port_control;

	(void)rsp;
	*len = 0;
	return sw_fw_port_control(fw, q->chip, q->port,
				  (enum fab_port_ctl)q->ctl, err);
}

static void fmp_fn_from_info(struct sw_fmp_fn *e, const struct sw_fn_info *fi)
{
	memset(e, 0, sizeof(*e));
	e->fid = fi->fid;
	e->phys_rid = fi->phys_rid;
	e->vendor = fi->vendor;
	e->device = fi->device;
	e->flags = (fi->is_vf ? SW_FMP_FN_VF : 0) |
		   (!fi->is_vf && fi->total_vfs ? SW_FMP_FN_SRIOV : 0);
	e->state = fi->state;
	e->class_code = fi->class_code;
	e->total_vfs = fi->total_vfs;
	e->num_vfs = fi->num_vfs;
	e->vf_offset = fi->vf_offset;
	e->vf_stride = fi->vf_stride;
	e->vf_device = fi->vf_device;
	e->partition = fi->partition;
	e->vppb = fi->vppb;
}

static int fmp_h_list_functions(uint8_t *rsp, size_t *len, struct sw_fw *fw,
				const union fmp_req *req, struct fm_err *err)
{
	struct sw_fmp_list_rsp r = { 0 };
	unsigned total = sw_fw_function_count(fw);
	unsigned start = req->list.start, n = req->list.count;
	uint8_t *p = rsp + sizeof(r);

	if (n > SW_FMP_FN_PAGE_MAX)
		n = SW_FMP_FN_PAGE_MAX;
	if (start > total)
		start = total;
	if (n > total - start)
		n = total - start;
	for (unsigned i = 0; i < n; i++) {
		struct sw_fn_info fi;
		struct sw_fmp_fn e;
		int ret;

		memset(&fi, 0, sizeof(fi));
		ret = sw_fw_function(fw, start + i, &fi, err);
		if (ret < 0)
			return ret;
		fmp_fn_from_info(&e, &fi);
		sw_fmp_encode(p, &sw_fmp_layout_fn, &e);
		p += sizeof(e);
	}
	r.total = total;
	r.count = (uint16_t)n;
	sw_fmp_encode(rsp, &sw_fmp_layout_list_rsp, &r);
	*len = (size_t)(p - rsp);
	return 0;
}

static int fmp_h_partition(uint8_t *rsp, size_t *len, struct sw_fw *fw,
			   const union fmp_req *req, struct fm_err *err)
{
	struct sw_partition_info pi;
	struct sw_fmp_part_rsp r = { 0 };
	uint8_t *p = rsp + sizeof(r);
	int ret;

	memset(&pi, 0, sizeof(pi));
	ret = sw_fw_partition(fw, req->part.partition, &pi, err);
	if (ret < 0)
		return ret;
	if (pi.nvppbs > SW_MAX_VPPBS)
		return fm_err_set(err, FM_EIO,
				  "partition %u reports %u vPPBs, at most %u",
				  pi.id, pi.nvppbs, SW_MAX_VPPBS);
	r.id = (uint16_t)pi.id;
	r.chip = pi.chip;
	r.port = pi.port;
	r.flags = pi.link_up ? SW_FMP_PART_LINK_UP : 0;
	r.host_bus = pi.host_bus;
	r.nvppbs = (uint8_t)pi.nvppbs;
	for (unsigned i = 0; i < pi.nvppbs; i++) {
		struct sw_fmp_vppb v = {
			.fid = pi.vppb[i].fid,
			.state = pi.vppb[i].state,
			.sec_bus = pi.vppb[i].sec_bus,
			.flags = pi.vppb[i].slot_power ? SW_FMP_VPPB_SLOT_POWER
						       : 0,
		};

		sw_fmp_encode(p, &sw_fmp_layout_vppb, &v);
		p += sizeof(v);
	}
	sw_fmp_encode(rsp, &sw_fmp_layout_part_rsp, &r);
	*len = (size_t)(p - rsp);
	return 0;
}

static int fmp_h_bind(uint8_t *rsp, size_t *len, struct sw_fw *fw,
		      const union fmp_req *req, struct fm_err *err)
{
	const struct sw_fmp_bind_req *q = &req->bind;
	struct sw_fmp_bind_rsp r = { 0 };
	unsigned used = 0;
	int ret;

	ret = sw_fw_bind(fw, q->fid, q->partition,
			 q->vppb == SW_FMP_VPPB_ANY ? -1 : (int)q->vppb, &used,
			 err);
	if (ret < 0)
		return ret;
	r.vppb = (uint16_t)used;
	sw_fmp_encode(rsp, &sw_fmp_layout_bind_rsp, &r);
	*len = sizeof(r);
	return 0;
}

static int fmp_h_unbind(uint8_t *rsp, size_t *len, struct sw_fw *fw,
			const union fmp_req *req, struct fm_err *err)
{
	(void)rsp;
	*len = 0;
	return sw_fw_unbind(fw, req->unbind.fid,
			    (enum sw_unbind_mode)req->unbind.mode, err);
}

static int fmp_h_reset_function(uint8_t *rsp, size_t *len, struct sw_fw *fw,
				const union fmp_req *req, struct fm_err *err)
{
	(void)rsp;
	*len = 0;
	return sw_fw_reset_function(fw, req->fid.fid, err);
}

static int fmp_h_events(uint8_t *rsp, size_t *len, struct sw_fw *fw,
			const union fmp_req *req, struct fm_err *err)
{
	struct sw_event ev[SW_FMP_EV_PAGE_MAX];
	struct sw_fmp_events_rsp r = { 0 };
	unsigned max = req->events.count, n;
	uint64_t upto = req->events.since;
	bool overflow = false;
	uint8_t *p = rsp + sizeof(r);

	(void)err;
	if (max > SW_FMP_EV_PAGE_MAX)
		max = SW_FMP_EV_PAGE_MAX;
	n = max ? sw_fw_events(fw, req->events.since, ev, max, &overflow) : 0;
	for (unsigned i = 0; i < n; i++) {
		struct sw_fmp_event e = {
			.seq = ev[i].seq,
			.time_ns = ev[i].time_ns,
			.type = ev[i].type,
			.partition = ev[i].partition,
			.vppb = ev[i].vppb,
			.chip = ev[i].chip,
			.port = ev[i].port,
			.fid = ev[i].fid,
			.detail = ev[i].detail,
		};

		sw_fmp_encode(p, &sw_fmp_layout_event, &e);
		p += sizeof(e);
		upto = ev[i].seq;
	}
	r.last_seq = sw_fw_last_event_seq(fw);
	r.count = (uint16_t)n;
	r.flags = (overflow ? SW_FMP_EV_OVERFLOW : 0) |
		  (upto < r.last_seq ? SW_FMP_EV_MORE : 0);
	sw_fmp_encode(rsp, &sw_fmp_layout_events_rsp, &r);
	*len = (size_t)(p - rsp);
	return 0;
}

static int fmp_h_save_config(uint8_t *rsp, size_t *len, struct sw_fw *fw,
			     const union fmp_req *req, struct fm_err *err)
{
	(void)rsp;
	(void)req;
	*len = 0;
	return sw_fw_save_config(fw, err);
}

static int fmp_h_load_config(uint8_t *rsp, size_t *len, struct sw_fw *fw,
			     const union fmp_req *req, struct fm_err *err)
{
	(void)rsp;
	(void)req;
	*len = 0;
	return sw_fw_load_config(fw, err);
}

/*
 * The opcode table.  To add a command: give it the next opcode in fmp.h,
 * define its request/response structs there with their layouts above
 * (fields the dispatcher must range-check carry an SW_FMP_RANGE_*), write
 * a handler, add a line here, and document it in schemas/fmp.md.  The
 * request payload must be exactly req->size bytes (0 without a layout).
 * @state_status is what -FM_ESTATE from the handler means for this
 * command (0: SW_FMP_ST_STATE).
 */
struct fmp_op {
	struct sw_fmp_op_info info;
	fmp_handler_fn *handler;
	uint16_t state_status;
};

static const struct fmp_op fmp_ops[SW_FMP_OP_COUNT] = {
	[SW_FMP_OP_IDENTIFY] = {
		.info.name = "identify",
		.info.rsp = &sw_fmp_layout_identify_rsp,
		.handler = fmp_h_identify,
	},
	[SW_FMP_OP_GET_PORT_STATE] = {
		.info.name = "get port state",
		.info.req = &sw_fmp_layout_port_req,
		.info.rsp = &sw_fmp_layout_port_state_rsp,
		.handler = fmp_h_port_state,
	},
	[SW_FMP_OP_PORT_CONTROL] = {
		.info.name = "port control",
		.info.req = &sw_fmp_layout_port_control_req,
		.handler = fmp_h_port_control,
	},
	[SW_FMP_OP_LIST_FUNCTIONS] = {
		.info.name = "list functions",
		.info.req = &sw_fmp_layout_list_req,
		.info.rsp = &sw_fmp_layout_list_rsp,
		.info.item = &sw_fmp_layout_fn,
		.handler = fmp_h_list_functions,
	},
	[SW_FMP_OP_GET_PARTITION] = {
		.info.name = "get partition",
		.info.req = &sw_fmp_layout_part_req,
		.info.rsp = &sw_fmp_layout_part_rsp,
		.info.item = &sw_fmp_layout_vppb,
		.handler = fmp_h_partition,
	},
	[SW_FMP_OP_BIND] = {
		.info.name = "bind",
		.info.req = &sw_fmp_layout_bind_req,
		.info.rsp = &sw_fmp_layout_bind_rsp,
		.handler = fmp_h_bind,
	},
	[SW_FMP_OP_UNBIND] = {
		.info.name = "unbind",
		.info.req = &sw_fmp_layout_unbind_req,
		.handler = fmp_h_unbind,
		.state_status = SW_FMP_ST_NOT_BOUND,
	},
	[SW_FMP_OP_RESET_FUNCTION] = {
		.info.name = "reset function",
		.info.req = &sw_fmp_layout_fid_req,
		.handler = fmp_h_reset_function,
	},
	[SW_FMP_OP_GET_EVENTS] = {
		.info.name = "get events",
		.info.req = &sw_fmp_layout_events_req,
		.info.rsp = &sw_fmp_layout_events_rsp,
		.info.item = &sw_fmp_layout_event,
		.handler = fmp_h_events,
	},
	[SW_FMP_OP_SAVE_CONFIG] = {
		.info.name = "save config",
		.handler = fmp_h_save_config,
	},
	[SW_FMP_OP_LOAD_CONFIG] = {
		.info.name = "load config",
		.handler = fmp_h_load_config,
	},
};

const struct sw_fmp_op_info *sw_fmp_op_info(unsigned op)
{
	if (op >= SW_FMP_OP_COUNT || !fmp_ops[op].handler)
		return NULL;
	return &fmp_ops[op].info;
}

/* ---------------------------------------------------------------------
 * Dispatcher.
 */

/* The exclusive upper bound of each dynamic range, from the identity. */
static void fmp_limits(uint64_t lim[SW_FMP_RANGE_COUNT], struct sw_fw *fw)
{
	struct sw_identity id;

	memset(&id, 0, sizeof(id));
	sw_fw_identify(fw, &id);
	lim[SW_FMP_RANGE_CHIP] = id.nchips;
	lim[SW_FMP_RANGE_PARTITION] = id.npartitions;
	lim[SW_FMP_RANGE_VPPB] = id.vppbs;
	lim[SW_FMP_RANGE_FN_START] = (uint64_t)id.nfunctions + 1;
}

/* Reserved fields zero and ranged fields in range; returns a status. */
static uint16_t fmp_check_fields(const struct sw_fmp_layout *l,
				 const uint8_t *p, struct sw_fw *fw,
				 const char *opname, struct fm_err *err)
{
	uint64_t lim[SW_FMP_RANGE_COUNT] = { 0 };
	bool have_lim = false;

	for (unsigned i = 0; i < l->nfields; i++) {
		const struct sw_fmp_field *f = &l->fields[i];
		uint64_t v;

		if (f->kind == SW_FMP_F_RSVD) {
			for (unsigned b = 0; b < f->size; b++) {
				if (p[f->off + b] == 0)
					continue;
				fm_err_set(err, FM_EINVAL,
					   "%s: reserved byte %u is %#x, must "
					   "be 0",
					   opname, f->off + b, p[f->off + b]);
				return SW_FMP_ST_BAD_FIELD;
			}
			continue;
		}
		if (f->range == SW_FMP_RANGE_NONE)
			continue;
		v = fmp_get_le(p + f->off, f->size);
		if (f->range == SW_FMP_RANGE_MAX) {
			if (v <= f->max)
				continue;
			fm_err_set(err, FM_ERANGE,
				   "%s: %s %llu out of range (at most %u)",
				   opname, f->name, (unsigned long long)v,
				   f->max);
			return SW_FMP_ST_BAD_FIELD;
		}
		if (f->range == SW_FMP_RANGE_VPPB && v == SW_FMP_VPPB_ANY)
			continue;
		if (!have_lim) {
			fmp_limits(lim, fw);
			have_lim = true;
		}
		if (v < lim[f->range])
			continue;
		fm_err_set(
			err, FM_ERANGE,
			"%s: %s %llu out of range (the switch has %llu)",
			opname, f->name, (unsigned long long)v,
			(unsigned long long)(f->range == SW_FMP_RANGE_FN_START
						     ? lim[f->range] - 1
						     : lim[f->range]));
		return SW_FMP_ST_BAD_FIELD;
	}
	return SW_FMP_ST_OK;
}

/*
 * The checks common to every request, in order; fills *hdr and *op as far
 * as they could be read and returns a status.
 */
static uint16_t fmp_validate(struct sw_fmp_hdr *hdr, const struct fmp_op **op,
			     union fmp_req *r, struct sw_fw *fw,
			     const uint8_t *req, size_t len, struct fm_err *err)
{
	const struct sw_fmp_layout *l;
	const char *name;
	size_t want;

	if (len < SW_FMP_HDR_SIZE) {
		fm_err_set(err, FM_EPARSE,
			   "message of %zu bytes is shorter than the "
			   "%u-byte header",
			   len, SW_FMP_HDR_SIZE);
		return SW_FMP_ST_BAD_LENGTH;
	}
	sw_fmp_decode(hdr, &sw_fmp_layout_hdr, req);
	if (hdr->version != SW_FMP_VERSION) {
		fm_err_set(err, FM_EUNSUPP,
			   "version %u not supported (this switch speaks %u)",
			   hdr->version, SW_FMP_VERSION);
		return SW_FMP_ST_BAD_VERSION;
	}
	if (hdr->flags != 0 || hdr->status != 0 || hdr->reserved != 0) {
		fm_err_set(err, FM_EINVAL,
			   "request header has flags %#x, status %u, "
			   "reserved %#x: all must be 0",
			   hdr->flags, hdr->status, hdr->reserved);
		return SW_FMP_ST_BAD_FIELD;
	}
	if (hdr->length != len - SW_FMP_HDR_SIZE) {
		fm_err_set(err, FM_EPARSE,
			   "header says %u payload bytes, message has %zu",
			   hdr->length, len - SW_FMP_HDR_SIZE);
		return SW_FMP_ST_BAD_LENGTH;
	}
	if (hdr->opcode >= SW_FMP_OP_COUNT || !fmp_ops[hdr->opcode].handler) {
		fm_err_set(err, FM_EUNSUPP, "opcode %#x unknown", hdr->opcode);
		return SW_FMP_ST_BAD_OPCODE;
	}
	*op = &fmp_ops[hdr->opcode];
	l = (*op)->info.req;
	name = (*op)->info.name;
	want = l ? l->size : 0;
	if (hdr->length != want) {
		fm_err_set(err, FM_EPARSE,
			   "%s: payload of %u bytes, expected %zu", name,
			   hdr->length, want);
		return SW_FMP_ST_BAD_LENGTH;
	}
	if (!l)
		return SW_FMP_ST_OK;
	sw_fmp_decode(r, l, req + SW_FMP_HDR_SIZE);
	return fmp_check_fields(l, req + SW_FMP_HDR_SIZE, fw, name, err);
}

size_t sw_fmp_dispatch(uint8_t *rsp, struct sw_fw *fw, const uint8_t *req,
		       size_t len)
{
	struct sw_fmp_hdr hdr = { 0 };
	const struct fmp_op *op = NULL;
	struct fm_err err = { 0 };
	union fmp_req r;
	size_t plen = 0;
	uint16_t status;
	int ret;

	memset(&r, 0, sizeof(r));
	status = fmp_validate(&hdr, &op, &r, fw, req, len, &err);
	if (status == SW_FMP_ST_OK) {
		ret = op->handler(rsp + SW_FMP_HDR_SIZE, &plen, fw, &r, &err);
		if (ret < 0) {
			status = sw_fmp_status_from_err(ret);
			if (ret == -FM_ESTATE && op->state_status)
				status = op->state_status;
		}
	}
	if (status != SW_FMP_ST_OK) {
		if (!err.msg[0])
			snprintf(err.msg, sizeof(err.msg), "%s",
				 sw_fmp_status_name(status));
		plen = strnlen(err.msg, SW_FMP_ERR_MSG_MAX);
		memcpy(rsp + SW_FMP_HDR_SIZE, err.msg, plen);
		FM_LOG(FM_LOG_DEBUG,
		       "sw fmp: opcode %#x tag %u refused (%s): %s", hdr.opcode,
		       hdr.tag, sw_fmp_status_name(status), err.msg);
	}
	hdr.version = SW_FMP_VERSION;
	hdr.flags = SW_FMP_FLAG_RESPONSE;
	hdr.length = (uint32_t)plen;
	hdr.status = status;
	hdr.reserved = 0;
	sw_fmp_encode(rsp, &sw_fmp_layout_hdr, &hdr);
	return SW_FMP_HDR_SIZE + plen;
}

size_t sw_fmp_fw_handle(void *ctx, uint8_t *rsp, const uint8_t *req, size_t len)
{
	return sw_fmp_dispatch(rsp, ctx, req, len);
}

/* ---------------------------------------------------------------------
 * The in-process transport: a function call into the dispatcher.
 */
static int fmp_local_transact(void *ctx, uint8_t *rsp, size_t *rsp_len,
			      const uint8_t *req, size_t req_len,
			      struct fm_err *err)
{
	(void)err;
	*rsp_len = sw_fmp_dispatch(rsp, ctx, req, req_len);
	return 0;
}

void sw_fmp_transport_local(struct sw_fmp_transport *out, struct sw_fw *fw)
{
	out->transact = fmp_local_transact;
	out->ctx = fw;
}
