/* SPDX-License-Identifier: MIT */
/*
 * FMP codec and dispatcher against a double of the firmware API: what a
 * fabric manager sees on the wire for every well-formed, malformed or
 * refused request, and that refused requests never reach the firmware.
 *
 * The double implements exactly the sw_fw_*() calls the dispatcher makes,
 * so this test links switchfw's FMP objects without the firmware core.
 * End-to-end behaviour with the real firmware is in test_fmp_e2e.c.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "switchfw/fmp.h"

/* ---------------------------------------------------------------------
 * The firmware double.
 */
#define D_CHIPS 2
#define D_PARTS 4
#define D_VPPBS 8
#define D_EVENTS 300

struct sw_fw {
	unsigned nfunctions;
	unsigned mutations; /* calls that could change the switch */
	int ret;	    /* what the next mutating call returns */
	const char *msg;    /* and its message */
	uint32_t last_fid;
	unsigned last_part;
	int last_vppb;
	unsigned last_mode;
	unsigned last_chip, last_port, last_ctl;
	uint64_t first_kept_seq; /* events before it were overwritten */
	uint64_t last_seq;
};

static struct sw_fw dfw;

void sw_fw_identify(struct sw_fw *fw, struct sw_identity *out)
{
	memset(out, 0, sizeof(*out));
	snprintf(out->name, sizeof(out->name), "pax-double");
	out->vendor = 0x11f8;
	out->device = 0x4052;
	out->nchips = D_CHIPS;
	out->nports = 2 * 24;
	out->npartitions = D_PARTS;
	out->nfunctions = fw->nfunctions;
	out->vppbs = D_VPPBS;
	out->fw_version = 0x00010002;
}

uint64_t sw_fw_last_event_seq(const struct sw_fw *fw)
{
	return fw->last_seq;
}

unsigned sw_fw_function_count(const struct sw_fw *fw)
{
	return fw->nfunctions;
}

int sw_fw_function(struct sw_fw *fw, unsigned index, struct sw_fn_info *out,
		   struct fm_err *err)
{
	if (index >= fw->nfunctions)
		return fm_err_set(err, FM_ENOENT, "no function %u", index);
	memset(out, 0, sizeof(*out));
	out->fid = SW_FID(0, 3, index);
	out->phys_rid = (uint16_t)(0x0300 + index);
	out->vendor = 0x8086;
	out->device = index ? 0x1515 : 0x1528;
	out->class_code = 0x020000;
	out->is_vf = index != 0;
	out->total_vfs = index ? 0 : 63;
	out->num_vfs = index ? 0 : 63;
	out->vf_offset = index ? 0 : 128;
	out->vf_stride = index ? 0 : 2;
	out->vf_device = index ? 0 : 0x1515;
	out->state = index ? SW_FN_FREE : SW_FN_FABRIC;
	out->partition = index == 5 ? 2 : -1;
	out->vppb = index == 5 ? 7 : -1;
	return 0;
}

int sw_fw_partition(struct sw_fw *fw, unsigned part,
		    struct sw_partition_info *out, struct fm_err *err)
{
	(void)fw;
	if (part >= D_PARTS)
		return fm_err_set(err, FM_ENOENT, "no partition %u", part);
	memset(out, 0, sizeof(*out));
	out->id = part;
	out->chip = (uint8_t)(part / 2);
	out->port = (uint8_t)(part % 2);
	out->link_up = part != 3;
	out->host_bus = 1;
	out->nvppbs = D_VPPBS;
	for (unsigned i = 0; i < D_VPPBS; i++) {
		out->vppb[i].fid = SW_FID_NONE;
		out->vppb[i].sec_bus = (uint8_t)(3 + i);
	}
	out->vppb[7].state = SW_VPPB_BOUND;
	out->vppb[7].fid = SW_FID(0, 3, 5);
	out->vppb[7].slot_power = true;
	return 0;
}

int sw_fw_port_status(struct sw_fw *fw, unsigned chip, unsigned port,
		      struct fab_port_status *st, struct fm_err *err)
{
	(void)fw;
	if (port >= 24)
		return fm_err_set(err, FM_ERANGE, "chip %u has no port %u",
				  chip, port);
	memset(st, 0, sizeof(*st));
	st->up = true;
	st->enabled = true;
	st->width = 16;
	st->speed = 4;
	st->counters.tlp_in = 0x0102030405060708ULL;
	st->counters.ur = port;
	st->counters.link_downs = chip;
	return 0;
}

static int d_mutate(struct sw_fw *fw, struct fm_err *err)
{
	fw->mutations++;
	if (fw->ret < 0)
		return fm_err_set(err, -fw->ret, "%s",
				  fw->msg ? fw->msg : "refused");
	return 0;
}

int sw_fw_port_control(struct sw_fw *fw, unsigned chip, unsigned port,
		       enum fab_port_ctl ctl, struct fm_err *err)
{
	fw->last_chip = chip;
	fw->last_port = port;
	fw->last_ctl = ctl;
	return d_mutate(fw, err);
}

int sw_fw_bind(struct sw_fw *fw, uint32_t fid, unsigned part, int vppb,
	       unsigned *vppb_out, struct fm_err *err)
{
	fw->last_fid = fid;
	fw->last_part = part;
	fw->last_vppb = vppb;
	if (d_mutate(fw, err) < 0)
		return fw->ret;
	if (vppb_out)
		*vppb_out = vppb < 0 ? 4 : (unsigned)vppb;
	return 0;
}

int sw_fw_unbind(struct sw_fw *fw, uint32_t fid, enum sw_unbind_mode mode,
		 struct fm_err *err)
{
	fw->last_fid = fid;
	fw->last_mode = mode;
	return d_mutate(fw, err);
}

int sw_fw_reset_function(struct sw_fw *fw, uint32_t fid, struct fm_err *err)
{
	fw->last_fid = fid;
	return d_mutate(fw, err);
}

int sw_fw_save_config(struct sw_fw *fw, struct fm_err *err)
{
	return d_mutate(fw, err);
}

int sw_fw_load_config(struct sw_fw *fw, struct fm_err *err)
{
	return d_mutate(fw, err);
}

/* Events 1..last_seq; those below first_kept_seq were overwritten. */
unsigned sw_fw_events(struct sw_fw *fw, uint64_t since, struct sw_event *out,
		      unsigned max, bool *overflow)
{
	uint64_t seq = since + 1;
	unsigned n = 0;

	*overflow = seq < fw->first_kept_seq;
	if (*overflow)
		seq = fw->first_kept_seq;
	for (; seq <= fw->last_seq && n < max; seq++, n++) {
		memset(&out[n], 0, sizeof(out[n]));
		out[n].seq = seq;
		out[n].time_ns = seq * 1000;
		out[n].type = (uint16_t)(seq % SW_EV_TYPE_COUNT);
		out[n].partition = -1;
		out[n].vppb = -1;
		out[n].fid = SW_FID_NONE;
		out[n].detail = seq << 32;
	}
	return n;
}

static void d_setup(void)
{
	memset(&dfw, 0, sizeof(dfw));
	dfw.nfunctions = 10;
	dfw.first_kept_seq = 1;
}

TestSuite(sw_fmp_dispatch, .init = d_setup);

/* ---------------------------------------------------------------------
 * Helpers: build raw requests, run them, read the response header.
 */
struct d_rsp {
	struct sw_fmp_hdr h;
	size_t len;
	uint8_t buf[SW_FMP_MAX_MSG];
};

static void d_run(struct d_rsp *r, const uint8_t *req, size_t len)
{
	memset(r, 0xa5, sizeof(*r));
	r->len = sw_fmp_dispatch(r->buf, &dfw, req, len);
	cr_assert_geq(r->len, SW_FMP_HDR_SIZE);
	cr_assert_leq(r->len, SW_FMP_MAX_MSG);
	sw_fmp_decode(&r->h, &sw_fmp_layout_hdr, r->buf);
	cr_assert_eq(r->h.version, SW_FMP_VERSION);
	cr_assert_eq(r->h.flags, SW_FMP_FLAG_RESPONSE);
	cr_assert_eq(r->h.reserved, 0);
	cr_assert_eq(r->h.length, r->len - SW_FMP_HDR_SIZE);
}

/* Request @op with @payload (@plen bytes) and tag 0x5eed0000 + op. */
static size_t d_build(uint8_t *buf, unsigned op, const void *payload,
		      size_t plen)
{
	return sw_fmp_request_build(buf, (uint16_t)op, 0x5eed0000u + op,
				    payload, plen);
}

static void d_assert_refused(const struct d_rsp *r, unsigned status,
			     const char *needle)
{
	cr_assert_eq(r->h.status, status, "status %s, expected %s",
		     sw_fmp_status_name(r->h.status),
		     sw_fmp_status_name(status));
	cr_assert_gt(r->h.length, 0, "a refusal carries a message");
	cr_assert_leq(r->h.length, SW_FMP_ERR_MSG_MAX);
	if (needle)
		cr_assert(memmem(r->buf + SW_FMP_HDR_SIZE, r->h.length, needle,
				 strlen(needle)),
			  "message \"%.*s\" lacks \"%s\"", (int)r->h.length,
			  (const char *)r->buf + SW_FMP_HDR_SIZE, needle);
	cr_assert_eq(dfw.mutations, 0, "a refused request reached firmware");
}

static size_t d_req_size(unsigned op)
{
	const struct sw_fmp_op_info *oi = sw_fmp_op_info(op);

	return oi && oi->req ? oi->req->size : 0;
}

/* A valid payload for @op (zeros are valid for every request). */
static size_t d_valid(uint8_t *buf, unsigned op, size_t extra, bool shorter)
{
	uint8_t payload[SW_FMP_MAX_PAYLOAD] = { 0 };
	size_t n = d_req_size(op) + extra;

	if (shorter)
		n--;
	return d_build(buf, op, payload, n);
}

/* ---------------------------------------------------------------------
 * Layouts and codec.
 */
static const struct sw_fmp_layout *const all_layouts[] = {
	&sw_fmp_layout_hdr,
	&sw_fmp_layout_identify_rsp,
	&sw_fmp_layout_port_req,
	&sw_fmp_layout_port_state_rsp,
	&sw_fmp_layout_port_control_req,
	&sw_fmp_layout_list_req,
	&sw_fmp_layout_list_rsp,
	&sw_fmp_layout_fn,
	&sw_fmp_layout_part_req,
	&sw_fmp_layout_part_rsp,
	&sw_fmp_layout_vppb,
	&sw_fmp_layout_bind_req,
	&sw_fmp_layout_bind_rsp,
	&sw_fmp_layout_unbind_req,
	&sw_fmp_layout_fid_req,
	&sw_fmp_layout_events_req,
	&sw_fmp_layout_events_rsp,
	&sw_fmp_layout_event,
};

Test(sw_fmp_dispatch, every_layout_names_each_byte_once_without_gaps)
{
	for (unsigned i = 0; i < FM_ARRAY_SIZE(all_layouts); i++) {
		const struct sw_fmp_layout *l = all_layouts[i];
		unsigned at = 0;

		for (unsigned f = 0; f < l->nfields; f++) {
			const struct sw_fmp_field *fd = &l->fields[f];

			cr_assert_eq(fd->off, at, "%s.%s at %u, expected %u",
				     l->name, fd->name, fd->off, at);
			if (fd->kind == SW_FMP_F_UINT)
				cr_assert(fd->size == 1 || fd->size == 2 ||
						  fd->size == 4 ||
						  fd->size == 8,
					  "%s.%s", l->name, fd->name);
			cr_assert_eq(fd->off % (fd->kind == SW_FMP_F_UINT
							? fd->size
							: 1),
				     0, "%s.%s misaligned", l->name, fd->name);
			at += fd->size;
		}
		cr_assert_eq(at, l->size, "%s covers %u of %u bytes", l->name,
			     at, l->size);
	}
}

Test(sw_fmp_dispatch, header_is_little_endian_at_documented_offsets)
{
	struct sw_fmp_hdr h = {
		1, 0, 0x0203, 0x11223344, 0x0a0b0c0d, 0x7788, 0
	};
	static const uint8_t want[16] = { 1,	0,    0x03, 0x02, 0x44, 0x33,
					  0x22, 0x11, 0x0d, 0x0c, 0x0b, 0x0a,
					  0x88, 0x77, 0,    0 };
	uint8_t buf[16];
	struct sw_fmp_hdr back;

	sw_fmp_encode(buf, &sw_fmp_layout_hdr, &h);
	cr_assert_eq(memcmp(buf, want, 16), 0);
	sw_fmp_decode(&back, &sw_fmp_layout_hdr, buf);
	cr_assert_eq(back.tag, 0x11223344u);
	cr_assert_eq(back.length, 0x0a0b0c0du);
	cr_assert_eq(back.status, 0x7788);
}

Test(sw_fmp_dispatch, signed_fields_round_trip_minus_one)
{
	struct sw_fmp_fn e = { .partition = -1, .vppb = -1, .fid = 7 };
	struct sw_fmp_fn back;
	uint8_t buf[sizeof(e)];

	sw_fmp_encode(buf, &sw_fmp_layout_fn, &e);
	cr_assert_eq(buf[26], 0xff);
	cr_assert_eq(buf[27], 0xff);
	sw_fmp_decode(&back, &sw_fmp_layout_fn, buf);
	cr_assert_eq(back.partition, -1);
	cr_assert_eq(back.vppb, -1);
	cr_assert_eq(back.fid, 7);
}

Test(sw_fmp_dispatch, encode_zeroes_reserved_bytes)
{
	struct sw_fmp_unbind_req q = { 1, 2, { 9, 9, 9 } };
	uint8_t buf[sizeof(q)];

	sw_fmp_encode(buf, &sw_fmp_layout_unbind_req, &q);
	cr_assert_eq(buf[5] | buf[6] | buf[7], 0);
}

/* ---------------------------------------------------------------------
 * Malformed requests, for every opcode.
 */
static unsigned all_ops[SW_FMP_OP_COUNT - 1];
static unsigned payload_ops[SW_FMP_OP_COUNT - 1];

ParameterizedTestParameters(sw_fmp_dispatch, every_opcode_rejects_long_payload)
{
	for (unsigned i = 0; i < FM_ARRAY_SIZE(all_ops); i++)
		all_ops[i] = i + 1;
	return cr_make_param_array(unsigned, all_ops, FM_ARRAY_SIZE(all_ops));
}

ParameterizedTest(unsigned *op, sw_fmp_dispatch,
		  every_opcode_rejects_long_payload)
{
	uint8_t req[SW_FMP_MAX_MSG];
	struct d_rsp r;

	d_run(&r, req, d_valid(req, *op, 1, false));
	cr_assert_eq(r.h.opcode, *op);
	cr_assert_eq(r.h.tag, 0x5eed0000u + *op, "tag not echoed");
	d_assert_refused(&r, SW_FMP_ST_BAD_LENGTH, "expected");
}

ParameterizedTestParameters(sw_fmp_dispatch, every_opcode_rejects_short_payload)
{
	unsigned n = 0;

	for (unsigned op = 1; op < SW_FMP_OP_COUNT; op++)
		if (d_req_size(op))
			payload_ops[n++] = op;
	return cr_make_param_array(unsigned, payload_ops, n);
}

ParameterizedTest(unsigned *op, sw_fmp_dispatch,
		  every_opcode_rejects_short_payload)
{
	uint8_t req[SW_FMP_MAX_MSG];
	struct d_rsp r;

	d_run(&r, req, d_valid(req, *op, 0, true));
	cr_assert_eq(r.h.opcode, *op);
	d_assert_refused(&r, SW_FMP_ST_BAD_LENGTH, "expected");
}

ParameterizedTestParameters(sw_fmp_dispatch, every_opcode_accepts_its_size)
{
	for (unsigned i = 0; i < FM_ARRAY_SIZE(all_ops); i++)
		all_ops[i] = i + 1;
	return cr_make_param_array(unsigned, all_ops, FM_ARRAY_SIZE(all_ops));
}

ParameterizedTest(unsigned *op, sw_fmp_dispatch, every_opcode_accepts_its_size)
{
	uint8_t req[SW_FMP_MAX_MSG];
	struct d_rsp r;

	d_run(&r, req, d_valid(req, *op, 0, false));
	cr_assert_eq(r.h.status, SW_FMP_ST_OK, "%s: %.*s",
		     sw_fmp_status_name(r.h.status), (int)r.h.length,
		     (const char *)r.buf + SW_FMP_HDR_SIZE);
	cr_assert_eq(r.h.opcode, *op);
}

Test(sw_fmp_dispatch, unknown_opcodes_are_bad_opcode)
{
	static const unsigned ops[] = { 0, SW_FMP_OP_COUNT, 0x100, 0xffff };
	uint8_t req[SW_FMP_HDR_SIZE];
	struct d_rsp r;

	for (unsigned i = 0; i < FM_ARRAY_SIZE(ops); i++) {
		d_run(&r, req, d_build(req, ops[i], NULL, 0));
		cr_assert_eq(r.h.opcode, ops[i]);
		d_assert_refused(&r, SW_FMP_ST_BAD_OPCODE, "unknown");
	}
}

Test(sw_fmp_dispatch, wrong_version_is_bad_version_and_echoes_tag)
{
	uint8_t req[SW_FMP_HDR_SIZE];
	struct d_rsp r;

	d_build(req, SW_FMP_OP_IDENTIFY, NULL, 0);
	req[0] = 2;
	d_run(&r, req, sizeof(req));
	cr_assert_eq(r.h.tag, 0x5eed0000u + SW_FMP_OP_IDENTIFY);
	d_assert_refused(&r, SW_FMP_ST_BAD_VERSION, "version 2");
}

Test(sw_fmp_dispatch, truncated_header_is_bad_length)
{
	uint8_t req[SW_FMP_HDR_SIZE];
	struct d_rsp r;

	d_build(req, SW_FMP_OP_IDENTIFY, NULL, 0);
	for (size_t len = 0; len < SW_FMP_HDR_SIZE; len++) {
		d_run(&r, req, len);
		cr_assert_eq(r.h.opcode, 0);
		cr_assert_eq(r.h.tag, 0);
		d_assert_refused(&r, SW_FMP_ST_BAD_LENGTH, "header");
	}
}

Test(sw_fmp_dispatch, header_length_disagreeing_with_message_is_bad_length)
{
	uint8_t req[SW_FMP_HDR_SIZE + 4] = { 0 };
	struct d_rsp r;

	d_build(req, SW_FMP_OP_RESET_FUNCTION, req + SW_FMP_HDR_SIZE, 4);
	req[8] = 8; /* header claims 8 payload bytes, 4 follow */
	d_run(&r, req, sizeof(req));
	d_assert_refused(&r, SW_FMP_ST_BAD_LENGTH, "header says 8");
}

Test(sw_fmp_dispatch, request_with_response_flag_is_bad_field)
{
	uint8_t req[SW_FMP_HDR_SIZE];
	struct d_rsp r;

	d_build(req, SW_FMP_OP_SAVE_CONFIG, NULL, 0);
	req[1] = SW_FMP_FLAG_RESPONSE;
	d_run(&r, req, sizeof(req));
	d_assert_refused(&r, SW_FMP_ST_BAD_FIELD, "flags");
}

Test(sw_fmp_dispatch, request_with_status_set_is_bad_field)
{
	uint8_t req[SW_FMP_HDR_SIZE];
	struct d_rsp r;

	d_build(req, SW_FMP_OP_LOAD_CONFIG, NULL, 0);
	req[12] = 1;
	d_run(&r, req, sizeof(req));
	d_assert_refused(&r, SW_FMP_ST_BAD_FIELD, "status 1");
}

/* Every reserved byte of every request payload must be zero. */
Test(sw_fmp_dispatch, nonzero_reserved_payload_byte_is_bad_field)
{
	unsigned checked = 0;

	for (unsigned op = 1; op < SW_FMP_OP_COUNT; op++) {
		const struct sw_fmp_layout *l = sw_fmp_op_info(op)->req;

		for (unsigned f = 0; l && f < l->nfields; f++) {
			const struct sw_fmp_field *fd = &l->fields[f];

			for (unsigned b = 0;
			     fd->kind == SW_FMP_F_RSVD && b < fd->size; b++) {
				uint8_t payload[64] = { 0 };
				uint8_t req[SW_FMP_HDR_SIZE + 64];
				struct d_rsp r;

				payload[fd->off + b] = 0x40;
				d_run(&r, req,
				      d_build(req, op, payload, l->size));
				d_assert_refused(&r, SW_FMP_ST_BAD_FIELD,
						 "reserved");
				checked++;
			}
		}
	}
	cr_assert_geq(checked, 15);
}

/* Random bytes: every message gets a well-formed response. */
Test(sw_fmp_dispatch, garbage_always_gets_a_well_formed_response)
{
	uint8_t req[SW_FMP_MAX_MSG];
	struct d_rsp r;
	unsigned ok = 0;

	srand(12345);
	for (unsigned i = 0; i < 20000; i++) {
		size_t len = (size_t)rand() % 96;

		for (size_t b = 0; b < len; b++)
			req[b] = (uint8_t)rand();
		if (i % 2 && len >= SW_FMP_HDR_SIZE) {
			/* a plausible header over a random payload */
			struct sw_fmp_hdr h = {
				.version = SW_FMP_VERSION,
				.opcode = (uint16_t)(1 + rand() % 12),
				.length = (uint32_t)(len - SW_FMP_HDR_SIZE),
			};

			sw_fmp_encode(req, &sw_fmp_layout_hdr, &h);
		}
		d_run(&r, req, len);
		if (r.h.status == SW_FMP_ST_OK)
			ok++;
		else
			cr_assert_gt(r.h.length, 0);
	}
	cr_assert_lt(ok, 20000);
}

/* ---------------------------------------------------------------------
 * Ranges: checked by the dispatcher before the firmware sees anything.
 */
static void d_send(struct d_rsp *r, unsigned op, const struct sw_fmp_layout *l,
		   const void *q)
{
	uint8_t payload[64], req[SW_FMP_HDR_SIZE + 64];

	sw_fmp_encode(payload, l, q);
	d_run(r, req, d_build(req, op, payload, l->size));
}

Test(sw_fmp_dispatch, port_control_beyond_reset_is_bad_field)
{
	struct sw_fmp_port_control_req q = { 0, 1, FAB_PORT_CTL_RESET + 1, 0 };
	struct d_rsp r;

	d_send(&r, SW_FMP_OP_PORT_CONTROL, &sw_fmp_layout_port_control_req, &q);
	d_assert_refused(&r, SW_FMP_ST_BAD_FIELD, "ctl 4");
}

Test(sw_fmp_dispatch, port_state_of_missing_chip_is_bad_field)
{
	struct sw_fmp_port_req q = { D_CHIPS, 0, 0 };
	struct d_rsp r;

	d_send(&r, SW_FMP_OP_GET_PORT_STATE, &sw_fmp_layout_port_req, &q);
	d_assert_refused(&r, SW_FMP_ST_BAD_FIELD, "chip 2");
}

Test(sw_fmp_dispatch, bind_to_missing_partition_is_bad_field)
{
	struct sw_fmp_bind_req q = { SW_FID(0, 3, 1), D_PARTS, 0 };
	struct d_rsp r;

	d_send(&r, SW_FMP_OP_BIND, &sw_fmp_layout_bind_req, &q);
	d_assert_refused(&r, SW_FMP_ST_BAD_FIELD, "partition 4");
}

Test(sw_fmp_dispatch, bind_to_missing_vppb_is_bad_field)
{
	struct sw_fmp_bind_req q = { SW_FID(0, 3, 1), 0, D_VPPBS };
	struct d_rsp r;

	d_send(&r, SW_FMP_OP_BIND, &sw_fmp_layout_bind_req, &q);
	d_assert_refused(&r, SW_FMP_ST_BAD_FIELD, "vppb 8");
}

Test(sw_fmp_dispatch, unbind_mode_beyond_wait_link_down_is_bad_field)
{
	struct sw_fmp_unbind_req q = { SW_FID(0, 3, 1), 3, { 0 } };
	struct d_rsp r;

	d_send(&r, SW_FMP_OP_UNBIND, &sw_fmp_layout_unbind_req, &q);
	d_assert_refused(&r, SW_FMP_ST_BAD_FIELD, "mode 3");
}

Test(sw_fmp_dispatch, list_start_past_the_end_is_bad_field)
{
	struct sw_fmp_list_req q = { 11, 4, 0 };
	struct d_rsp r;

	d_send(&r, SW_FMP_OP_LIST_FUNCTIONS, &sw_fmp_layout_list_req, &q);
	d_assert_refused(&r, SW_FMP_ST_BAD_FIELD, "start 11");
}

Test(sw_fmp_dispatch, get_partition_past_the_end_is_bad_field)
{
	struct sw_fmp_part_req q = { D_PARTS, 0 };
	struct d_rsp r;

	d_send(&r, SW_FMP_OP_GET_PARTITION, &sw_fmp_layout_part_req, &q);
	d_assert_refused(&r, SW_FMP_ST_BAD_FIELD, "partition 4");
}

/* ---------------------------------------------------------------------
 * Requests that reach the firmware: arguments and answers, through the
 * client over the in-process transport.
 */
static struct sw_fmp_client *d_client(void)
{
	struct sw_fmp_transport t;
	struct sw_fmp_client *c = NULL;

	sw_fmp_transport_local(&t, &dfw);
	cr_assert_eq(sw_fmp_client_new(&c, &t, NULL), 0);
	return c;
}

Test(sw_fmp_dispatch, identify_reports_the_switch)
{
	struct sw_fmp_client *c = d_client();
	struct sw_fmp_identify_rsp id;

	dfw.last_seq = 77;
	cr_assert_eq(sw_fmp_client_identify(&id, c, NULL), 0);
	cr_assert_str_eq(id.name, "pax-double");
	cr_assert_eq(id.vendor, 0x11f8);
	cr_assert_eq(id.nchips, D_CHIPS);
	cr_assert_eq(id.npartitions, D_PARTS);
	cr_assert_eq(id.vppbs, D_VPPBS);
	cr_assert_eq(id.nfunctions, 10);
	cr_assert_eq(id.fw_version, 0x00010002u);
	cr_assert_eq(id.fmp_version, SW_FMP_VERSION);
	cr_assert_eq(id.max_msg, SW_FMP_MAX_MSG);
	cr_assert_eq(id.last_event_seq, 77);
	sw_fmp_client_free(c);
}

Test(sw_fmp_dispatch, port_state_carries_link_and_counters)
{
	struct sw_fmp_client *c = d_client();
	struct sw_fmp_port_state_rsp st;

	cr_assert_eq(sw_fmp_client_port_state(&st, c, 1, 9, NULL), 0);
	cr_assert_eq(st.chip, 1);
	cr_assert_eq(st.port, 9);
	cr_assert_eq(st.flags, SW_FMP_PORT_UP | SW_FMP_PORT_ENABLED);
	cr_assert_eq(st.width, 16);
	cr_assert_eq(st.speed, 4);
	cr_assert_eq(st.tlp_in, 0x0102030405060708ULL);
	cr_assert_eq(st.ur, 9);
	cr_assert_eq(st.link_downs, 1);
	sw_fmp_client_free(c);
}

Test(sw_fmp_dispatch, port_missing_on_its_chip_is_bad_field_with_message)
{
	struct sw_fmp_client *c = d_client();
	struct sw_fmp_port_state_rsp st;
	struct fm_err err = { 0 };

	cr_assert_eq(sw_fmp_client_port_state(&st, c, 0, 30, &err), -FM_EINVAL);
	cr_assert_eq(sw_fmp_client_last_status(c), SW_FMP_ST_BAD_FIELD);
	cr_assert(strstr(err.msg, "chip 0 has no port 30"), "%s", err.msg);
	sw_fmp_client_free(c);
}

Test(sw_fmp_dispatch, port_control_passes_chip_port_and_control)
{
	struct sw_fmp_client *c = d_client();

	cr_assert_eq(
		sw_fmp_client_port_control(c, 1, 7, FAB_PORT_CTL_RETRAIN, NULL),
		0);
	cr_assert_eq(dfw.mutations, 1);
	cr_assert_eq(dfw.last_chip, 1);
	cr_assert_eq(dfw.last_port, 7);
	cr_assert_eq(dfw.last_ctl, FAB_PORT_CTL_RETRAIN);
	sw_fmp_client_free(c);
}

Test(sw_fmp_dispatch, list_functions_reports_ids_sriov_and_owner)
{
	struct sw_fmp_client *c = d_client();
	struct sw_fmp_fn fn[10];
	uint32_t total = 0;
	unsigned n = 0;

	cr_assert_eq(
		sw_fmp_client_list_functions(fn, &n, &total, c, 0, 10, NULL),
		0);
	cr_assert_eq(n, 10);
	cr_assert_eq(total, 10);
	cr_assert_eq(fn[0].flags, SW_FMP_FN_SRIOV);
	cr_assert_eq(fn[0].total_vfs, 63);
	cr_assert_eq(fn[0].vf_offset, 128);
	cr_assert_eq(fn[0].state, SW_FN_FABRIC);
	cr_assert_eq(fn[5].flags, SW_FMP_FN_VF);
	cr_assert_eq(fn[5].fid, SW_FID(0, 3, 5));
	cr_assert_eq(fn[5].phys_rid, 0x0305);
	cr_assert_eq(fn[5].device, 0x1515);
	cr_assert_eq(fn[5].class_code, 0x020000);
	cr_assert_eq(fn[5].partition, 2);
	cr_assert_eq(fn[5].vppb, 7);
	cr_assert_eq(fn[4].partition, -1);
	sw_fmp_client_free(c);
}

Test(sw_fmp_dispatch, list_functions_pages_a_large_fabric)
{
	struct sw_fmp_client *c = d_client();
	static struct sw_fmp_fn fn[700];
	uint32_t total = 0;
	unsigned n = 0;

	dfw.nfunctions = 600;
	cr_assert_eq(
		sw_fmp_client_list_functions(fn, &n, &total, c, 3, 700, NULL),
		0);
	cr_assert_eq(n, 597);
	cr_assert_eq(total, 600);
	for (unsigned i = 0; i < n; i++)
		cr_assert_eq(SW_FID_INDEX(fn[i].fid), 3 + i);
	sw_fmp_client_free(c);
}

Test(sw_fmp_dispatch, list_page_is_capped_at_page_max)
{
	struct sw_fmp_list_req q = { 0, 0xffff, 0 };
	struct sw_fmp_list_rsp lr;
	struct d_rsp r;

	dfw.nfunctions = 1000;
	d_send(&r, SW_FMP_OP_LIST_FUNCTIONS, &sw_fmp_layout_list_req, &q);
	cr_assert_eq(r.h.status, SW_FMP_ST_OK);
	sw_fmp_decode(&lr, &sw_fmp_layout_list_rsp, r.buf + SW_FMP_HDR_SIZE);
	cr_assert_eq(lr.count, SW_FMP_FN_PAGE_MAX);
	cr_assert_eq(r.h.length,
		     sizeof(lr) + lr.count * sizeof(struct sw_fmp_fn));
}

Test(sw_fmp_dispatch, list_with_count_zero_reports_only_the_total)
{
	struct sw_fmp_client *c = d_client();
	struct sw_fmp_fn fn[1];
	uint32_t total = 0;
	unsigned n = 99;

	cr_assert_eq(
		sw_fmp_client_list_functions(fn, &n, &total, c, 0, 0, NULL), 0);
	cr_assert_eq(n, 0);
	cr_assert_eq(total, 10);
	sw_fmp_client_free(c);
}

Test(sw_fmp_dispatch, get_partition_reports_vppbs)
{
	struct sw_fmp_client *c = d_client();
	struct sw_fmp_vppb v[SW_MAX_VPPBS];
	struct sw_fmp_part_rsp p;

	cr_assert_eq(sw_fmp_client_partition(&p, v, c, 3, NULL), 0);
	cr_assert_eq(p.id, 3);
	cr_assert_eq(p.chip, 1);
	cr_assert_eq(p.port, 1);
	cr_assert_eq(p.flags, 0, "partition 3's link is down");
	cr_assert_eq(p.nvppbs, D_VPPBS);
	cr_assert_eq(v[0].fid, SW_FID_NONE);
	cr_assert_eq(v[0].state, SW_VPPB_EMPTY);
	cr_assert_eq(v[7].fid, SW_FID(0, 3, 5));
	cr_assert_eq(v[7].state, SW_VPPB_BOUND);
	cr_assert_eq(v[7].flags, SW_FMP_VPPB_SLOT_POWER);
	cr_assert_eq(v[7].sec_bus, 10);
	sw_fmp_client_free(c);
}

Test(sw_fmp_dispatch, bind_any_vppb_passes_minus_one_and_returns_used)
{
	struct sw_fmp_client *c = d_client();
	unsigned used = 99;

	cr_assert_eq(sw_fmp_client_bind(&used, c, SW_FID(0, 3, 2), 1, -1, NULL),
		     0);
	cr_assert_eq(dfw.last_fid, SW_FID(0, 3, 2));
	cr_assert_eq(dfw.last_part, 1);
	cr_assert_eq(dfw.last_vppb, -1);
	cr_assert_eq(used, 4);
	sw_fmp_client_free(c);
}

Test(sw_fmp_dispatch, bind_given_vppb_passes_it)
{
	struct sw_fmp_client *c = d_client();
	unsigned used = 99;

	cr_assert_eq(sw_fmp_client_bind(&used, c, SW_FID(0, 3, 2), 3, 6, NULL),
		     0);
	cr_assert_eq(dfw.last_vppb, 6);
	cr_assert_eq(used, 6);
	sw_fmp_client_free(c);
}

/* Each firmware error and the status (and client error) it becomes. */
struct d_errmap {
	int fw_code;
	unsigned status;
	int client_code;
};

ParameterizedTestParameters(sw_fmp_dispatch, bind_errors_map_to_statuses)
{
	static struct d_errmap map[] = {
		{ FM_ENOENT, SW_FMP_ST_NOT_FOUND, FM_ENOENT },
		{ FM_EEXIST, SW_FMP_ST_ALREADY_BOUND, FM_EEXIST },
		{ FM_EBUSY, SW_FMP_ST_BUSY, FM_EBUSY },
		{ FM_ESTATE, SW_FMP_ST_STATE, FM_ESTATE },
		{ FM_ENOSPC, SW_FMP_ST_NO_SPACE, FM_ENOSPC },
		{ FM_ENOMEM, SW_FMP_ST_INTERNAL, FM_EIO },
		{ FM_EIO, SW_FMP_ST_IO_ERROR, FM_EIO },
		{ FM_ERANGE, SW_FMP_ST_BAD_FIELD, FM_EINVAL },
		{ FM_ETIMEDOUT, SW_FMP_ST_TIMEOUT, FM_ETIMEDOUT },
		{ FM_EUNSUPP, SW_FMP_ST_UNSUPPORTED, FM_EUNSUPP },
	};

	return cr_make_param_array(struct d_errmap, map, FM_ARRAY_SIZE(map));
}

ParameterizedTest(struct d_errmap *m, sw_fmp_dispatch,
		  bind_errors_map_to_statuses)
{
	struct sw_fmp_client *c = d_client();
	struct fm_err err = { 0 };
	unsigned used = 99;

	dfw.ret = -m->fw_code;
	dfw.msg = "fid 0x00030002 refused here";
	cr_assert_eq(sw_fmp_client_bind(&used, c, SW_FID(0, 3, 2), 0, -1, &err),
		     -m->client_code);
	cr_assert_eq(sw_fmp_client_last_status(c), m->status);
	cr_assert_eq(used, 99);
	cr_assert(strstr(err.msg, "fid 0x00030002 refused here"), "%s",
		  err.msg);
	cr_assert(strstr(err.msg, "fmp bind"), "%s", err.msg);
	sw_fmp_client_free(c);
}

Test(sw_fmp_dispatch, unbind_of_unbound_function_is_not_bound)
{
	struct sw_fmp_client *c = d_client();
	struct fm_err err = { 0 };

	dfw.ret = -FM_ESTATE;
	cr_assert_eq(sw_fmp_client_unbind(c, SW_FID(0, 3, 1),
					  SW_UNBIND_SURPRISE, &err),
		     -FM_ESTATE);
	cr_assert_eq(sw_fmp_client_last_status(c), SW_FMP_ST_NOT_BOUND);
	cr_assert(strstr(err.msg, "not bound"), "%s", err.msg);
	sw_fmp_client_free(c);
}

Test(sw_fmp_dispatch, unbind_passes_fid_and_mode)
{
	struct sw_fmp_client *c = d_client();

	cr_assert_eq(sw_fmp_client_unbind(c, SW_FID(1, 2, 3),
					  SW_UNBIND_WAIT_LINK_DOWN, NULL),
		     0);
	cr_assert_eq(dfw.last_fid, SW_FID(1, 2, 3));
	cr_assert_eq(dfw.last_mode, SW_UNBIND_WAIT_LINK_DOWN);
	sw_fmp_client_free(c);
}

Test(sw_fmp_dispatch, reset_function_passes_fid)
{
	struct sw_fmp_client *c = d_client();

	cr_assert_eq(sw_fmp_client_reset_function(c, SW_FID(0, 9, 4), NULL), 0);
	cr_assert_eq(dfw.last_fid, SW_FID(0, 9, 4));
	cr_assert_eq(dfw.mutations, 1);
	sw_fmp_client_free(c);
}

Test(sw_fmp_dispatch, load_config_without_one_is_not_found)
{
	struct sw_fmp_client *c = d_client();
	struct fm_err err = { 0 };

	dfw.ret = -FM_ENOENT;
	dfw.msg = "flash: no valid configuration copy";
	cr_assert_eq(sw_fmp_client_load_config(c, &err), -FM_ENOENT);
	cr_assert_eq(sw_fmp_client_last_status(c), SW_FMP_ST_NOT_FOUND);
	cr_assert(strstr(err.msg, "no valid configuration"), "%s", err.msg);
	sw_fmp_client_free(c);
}

Test(sw_fmp_dispatch, save_config_reaches_firmware)
{
	struct sw_fmp_client *c = d_client();

	cr_assert_eq(sw_fmp_client_save_config(c, NULL), 0);
	cr_assert_eq(dfw.mutations, 1);
	sw_fmp_client_free(c);
}

Test(sw_fmp_dispatch, events_page_carries_fields_and_more_flag)
{
	struct sw_fmp_client *c = d_client();
	struct sw_fmp_event ev[SW_FMP_EV_PAGE_MAX];
	struct sw_fmp_events_rsp page;

	dfw.last_seq = 250;
	cr_assert_eq(sw_fmp_client_events(ev, &page, c, 10, 5, NULL), 0);
	cr_assert_eq(page.count, 5);
	cr_assert_eq(page.last_seq, 250);
	cr_assert_eq(page.flags, SW_FMP_EV_MORE);
	cr_assert_eq(ev[0].seq, 11);
	cr_assert_eq(ev[4].seq, 15);
	cr_assert_eq(ev[0].time_ns, 11000);
	cr_assert_eq(ev[0].detail, 11ULL << 32);
	cr_assert_eq(ev[0].partition, -1);
	cr_assert_eq(ev[0].fid, SW_FID_NONE);
	sw_fmp_client_free(c);
}

Test(sw_fmp_dispatch, events_last_page_has_no_more_flag)
{
	struct sw_fmp_client *c = d_client();
	struct sw_fmp_event ev[SW_FMP_EV_PAGE_MAX];
	struct sw_fmp_events_rsp page;

	dfw.last_seq = 12;
	cr_assert_eq(sw_fmp_client_events(ev, &page, c, 10, 50, NULL), 0);
	cr_assert_eq(page.count, 2);
	cr_assert_eq(page.flags, 0);
	sw_fmp_client_free(c);
}

Test(sw_fmp_dispatch, events_overflow_flag_when_since_was_overwritten)
{
	struct sw_fmp_client *c = d_client();
	struct sw_fmp_event ev[SW_FMP_EV_PAGE_MAX];
	struct sw_fmp_events_rsp page;

	dfw.last_seq = 2000;
	dfw.first_kept_seq = 2000 - SW_EVENT_LOG_SIZE + 1;
	cr_assert_eq(sw_fmp_client_events(ev, &page, c, 0, 1000, NULL), 0);
	cr_assert_eq(page.count, SW_FMP_EV_PAGE_MAX);
	cr_assert_eq(page.flags, SW_FMP_EV_OVERFLOW | SW_FMP_EV_MORE);
	cr_assert_eq(ev[0].seq, dfw.first_kept_seq);
	sw_fmp_client_free(c);
}

/* ---------------------------------------------------------------------
 * The client refuses responses that do not answer its request.
 */
static int d_bad_transact(void *ctx, uint8_t *rsp, size_t *rsp_len,
			  const uint8_t *req, size_t req_len,
			  struct fm_err *err)
{
	int *mode = ctx;

	(void)err;
	*rsp_len = sw_fmp_dispatch(rsp, &dfw, req, req_len);
	if (*mode == 0)
		rsp[4] ^= 1; /* tag */
	else if (*mode == 1)
		rsp[1] = 0; /* not a response */
	else
		*rsp_len -= 1; /* length disagrees with the header */
	return 0;
}

Test(sw_fmp_dispatch, client_rejects_mismatched_or_malformed_responses)
{
	struct sw_fmp_identify_rsp id;

	for (int mode = 0; mode < 3; mode++) {
		struct sw_fmp_transport t = { d_bad_transact, &mode };
		struct sw_fmp_client *c = NULL;
		struct fm_err err = { 0 };

		cr_assert_eq(sw_fmp_client_new(&c, &t, NULL), 0);
		cr_assert_eq(sw_fmp_client_identify(&id, c, &err), -FM_EPARSE,
			     "mode %d", mode);
		cr_assert(strstr(err.msg, "fmp"), "%s", err.msg);
		sw_fmp_client_free(c);
	}
}

Test(sw_fmp_dispatch, client_checks_ranges_before_sending)
{
	struct sw_fmp_client *c = d_client();
	struct fm_err err = { 0 };

	cr_assert_eq(sw_fmp_client_bind(NULL, c, 1, 70000, -1, &err),
		     -FM_ERANGE);
	cr_assert_eq(sw_fmp_client_port_control(c, 300, 0, FAB_PORT_CTL_ENABLE,
						NULL),
		     -FM_ERANGE);
	cr_assert_eq(dfw.mutations, 0);
	sw_fmp_client_free(c);
}

Test(sw_fmp_dispatch, status_names_and_mapping_cover_every_status)
{
	for (unsigned s = 0; s < SW_FMP_ST_COUNT; s++) {
		cr_assert_str_neq(sw_fmp_status_name(s), "unknown status");
		cr_assert_eq(sw_fmp_status_to_err(s) == FM_EOK,
			     s == SW_FMP_ST_OK);
	}
	cr_assert_str_eq(sw_fmp_status_name(SW_FMP_ST_COUNT), "unknown status");
	cr_assert_eq(sw_fmp_status_from_err(-FM_EEXIST),
		     SW_FMP_ST_ALREADY_BOUND);
	cr_assert_eq(sw_fmp_status_from_err(-1000), SW_FMP_ST_INTERNAL);
}

/* The byte examples of schemas/fmp.md. */
Test(sw_fmp_dispatch, documented_examples_encode_as_shown)
{
	static const uint8_t identify[] = { 0x01, 0x00, 0x01, 0x00, 0x07, 0x00,
					    0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
					    0x00, 0x00, 0x00, 0x00 };
	static const uint8_t bind[] = { 0x01, 0x00, 0x06, 0x00, 0x08, 0x00,
					0x00, 0x00, 0x08, 0x00, 0x00, 0x00,
					0x00, 0x00, 0x00, 0x00, 0x02, 0x00,
					0x04, 0x00, 0x01, 0x00, 0xff, 0xff };
	struct sw_fmp_bind_req q = { 0x00040002, 1, SW_FMP_VPPB_ANY };
	uint8_t buf[SW_FMP_MAX_MSG], payload[8];
	struct d_rsp r;

	cr_assert_eq(sw_fmp_request_build(buf, SW_FMP_OP_IDENTIFY, 7, NULL, 0),
		     sizeof(identify));
	cr_assert_eq(memcmp(buf, identify, sizeof(identify)), 0);
	d_run(&r, buf, sizeof(identify));
	cr_assert_eq(memcmp(r.buf,
			    "\x01\x01\x01\x00\x07\x00\x00\x00\x40\x00"
			    "\x00\x00\x00\x00\x00\x00",
			    16),
		     0);
	sw_fmp_encode(payload, &sw_fmp_layout_bind_req, &q);
	cr_assert_eq(sw_fmp_request_build(buf, SW_FMP_OP_BIND, 8, payload, 8),
		     sizeof(bind));
	cr_assert_eq(memcmp(buf, bind, sizeof(bind)), 0);
}
