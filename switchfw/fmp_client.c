/* SPDX-License-Identifier: MIT */
/*
 * fmp_client.c - the FMP client: builds requests, checks and decodes
 * responses, one blocking round trip per call over any transport.
 */
#include "switchfw/fmp.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

struct sw_fmp_client {
	struct sw_fmp_transport t;
	uint32_t next_tag;
	unsigned last_status;
	uint8_t req[SW_FMP_MAX_MSG];
	uint8_t rsp[SW_FMP_MAX_MSG];
};

size_t sw_fmp_request_build(uint8_t *buf, uint16_t opcode, uint32_t tag,
			    const void *payload, size_t payload_len)
{
	struct sw_fmp_hdr h = {
		.version = SW_FMP_VERSION,
		.opcode = opcode,
		.tag = tag,
		.length = (uint32_t)payload_len,
	};

	assert(payload_len <= SW_FMP_MAX_PAYLOAD);
	sw_fmp_encode(buf, &sw_fmp_layout_hdr, &h);
	if (payload_len)
		memcpy(buf + SW_FMP_HDR_SIZE, payload, payload_len);
	return SW_FMP_HDR_SIZE + payload_len;
}

int sw_fmp_response_check(struct sw_fmp_hdr *hdr, const uint8_t *msg,
			  size_t len, uint16_t opcode, uint32_t tag,
			  struct fm_err *err)
{
	if (len < SW_FMP_HDR_SIZE)
		return fm_err_set(err, FM_EPARSE,
				  "fmp: response of %zu bytes is shorter than "
				  "a header",
				  len);
	sw_fmp_decode(hdr, &sw_fmp_layout_hdr, msg);
	if (hdr->version != SW_FMP_VERSION)
		return fm_err_set(err, FM_EPARSE,
				  "fmp: response has version %u, expected %u",
				  hdr->version, SW_FMP_VERSION);
	if (!(hdr->flags & SW_FMP_FLAG_RESPONSE))
		return fm_err_set(err, FM_EPARSE,
				  "fmp: message is not a response (flags %#x)",
				  hdr->flags);
	if (hdr->opcode != opcode || hdr->tag != tag)
		return fm_err_set(err, FM_EPARSE,
				  "fmp: response to opcode %#x tag %u, "
				  "expected opcode %#x tag %u",
				  hdr->opcode, hdr->tag, opcode, tag);
	if (hdr->length != len - SW_FMP_HDR_SIZE)
		return fm_err_set(err, FM_EPARSE,
				  "fmp: response header says %u payload bytes, "
				  "message has %zu",
				  hdr->length, len - SW_FMP_HDR_SIZE);
	return 0;
}

int sw_fmp_client_new(struct sw_fmp_client **out,
		      const struct sw_fmp_transport *t, struct fm_err *err)
{
	struct sw_fmp_client *c;

	if (!t || !t->transact)
		return fm_err_set(err, FM_EINVAL, "fmp client: no transport");
	c = calloc(1, sizeof(*c));
	if (!c)
		return fm_err_set(err, FM_ENOMEM, "fmp client: out of memory");
	c->t = *t;
	c->next_tag = 1;
	*out = c;
	return 0;
}

void sw_fmp_client_free(struct sw_fmp_client *c)
{
	free(c);
}

unsigned sw_fmp_client_last_status(const struct sw_fmp_client *c)
{
	return c->last_status;
}

static const char *fmp_op_name(uint16_t opcode)
{
	const struct sw_fmp_op_info *oi = sw_fmp_op_info(opcode);

	return oi ? oi->name : "request";
}

int sw_fmp_client_call(void *rsp, size_t *rsp_len, size_t max,
		       struct sw_fmp_client *c, uint16_t opcode,
		       const void *req, size_t req_len, struct fm_err *err)
{
	struct sw_fmp_hdr h;
	uint32_t tag = c->next_tag++;
	size_t len = 0, n;
	int ret;

	if (req_len > SW_FMP_MAX_PAYLOAD)
		return fm_err_set(err, FM_EINVAL,
				  "fmp %s: payload of %zu bytes, at most %u",
				  fmp_op_name(opcode), req_len,
				  SW_FMP_MAX_PAYLOAD);
	n = sw_fmp_request_build(c->req, opcode, tag, req, req_len);
	ret = c->t.transact(c->t.ctx, c->rsp, &len, c->req, n, err);
	if (ret < 0)
		return ret;
	ret = sw_fmp_response_check(&h, c->rsp, len, opcode, tag, err);
	if (ret < 0)
		return ret;
	c->last_status = h.status;
	if (h.status != SW_FMP_ST_OK)
		return fm_err_set(err, sw_fmp_status_to_err(h.status),
				  "%.*s (fmp %s: %s)",
				  (int)(h.length < SW_FMP_ERR_MSG_MAX
						? h.length
						: SW_FMP_ERR_MSG_MAX),
				  (const char *)c->rsp + SW_FMP_HDR_SIZE,
				  fmp_op_name(opcode),
				  sw_fmp_status_name(h.status));
	if (h.length > max)
		return fm_err_set(err, FM_EPARSE,
				  "fmp %s: response payload of %u bytes, "
				  "expected at most %zu",
				  fmp_op_name(opcode), h.length, max);
	if (h.length)
		memcpy(rsp, c->rsp + SW_FMP_HDR_SIZE, h.length);
	*rsp_len = h.length;
	return 0;
}

/* A round trip whose response is exactly @l (or empty when @l is NULL). */
static int fmp_call_fixed(void *out, const struct sw_fmp_layout *l,
			  struct sw_fmp_client *c, uint16_t opcode,
			  const struct sw_fmp_layout *ql, const void *q,
			  struct fm_err *err)
{
	uint8_t qbuf[64] = { 0 }, rbuf[64];
	size_t want = l ? l->size : 0, len = 0;
	int ret;

	assert(!ql || ql->size <= sizeof(qbuf));
	assert(want <= sizeof(rbuf));
	if (ql)
		sw_fmp_encode(qbuf, ql, q);
	ret = sw_fmp_client_call(rbuf, &len, sizeof(rbuf), c, opcode, qbuf,
				 ql ? ql->size : 0, err);
	if (ret < 0)
		return ret;
	if (len != want)
		return fm_err_set(err, FM_EPARSE,
				  "fmp %s: response payload of %zu bytes, "
				  "expected %zu",
				  fmp_op_name(opcode), len, want);
	if (l)
		sw_fmp_decode(out, l, rbuf);
	return 0;
}

int sw_fmp_client_identify(struct sw_fmp_identify_rsp *out,
			   struct sw_fmp_client *c, struct fm_err *err)
{
	int ret;

	ret = fmp_call_fixed(out, &sw_fmp_layout_identify_rsp, c,
			     SW_FMP_OP_IDENTIFY, NULL, NULL, err);
	if (ret == 0)
		out->name[sizeof(out->name) - 1] = '\0';
	return ret;
}

static int fmp_check_chip_port(unsigned chip, unsigned port, const char *op,
			       struct fm_err *err)
{
	if (chip > UINT8_MAX || port > UINT8_MAX)
		return fm_err_set(err, FM_ERANGE,
				  "fmp %s: chip %u port %u out of range "
				  "(0..255)",
				  op, chip, port);
	return 0;
}

int sw_fmp_client_port_state(struct sw_fmp_port_state_rsp *out,
			     struct sw_fmp_client *c, unsigned chip,
			     unsigned port, struct fm_err *err)
{
	struct sw_fmp_port_req q = { (uint8_t)chip, (uint8_t)port, 0 };
	int ret;

	ret = fmp_check_chip_port(chip, port, "get port state", err);
	if (ret < 0)
		return ret;
	return fmp_call_fixed(out, &sw_fmp_layout_port_state_rsp, c,
			      SW_FMP_OP_GET_PORT_STATE, &sw_fmp_layout_port_req,
			      &q, err);
}

int sw_fmp_client_port_control(struct sw_fmp_client *c, unsigned chip,
			       unsigned port, enum fab_port_ctl ctl,
			       struct fm_err *err)
{
	struct sw_fmp_port_control_req q = { (uint8_t)chip, (uint8_t)port,
					     (uint8_t)ctl, 0 };
	int ret;

	ret = fmp_check_chip_port(chip, port, "port control", err);
	if (ret < 0)
		return ret;
	if ((unsigned)ctl > UINT8_MAX)
		return fm_err_set(err, FM_ERANGE,
				  "fmp port control: control %u out of range",
				  (unsigned)ctl);
	return fmp_call_fixed(NULL, NULL, c, SW_FMP_OP_PORT_CONTROL,
			      &sw_fmp_layout_port_control_req, &q, err);
}

int sw_fmp_client_list_functions(struct sw_fmp_fn *out, unsigned *n,
				 uint32_t *total, struct sw_fmp_client *c,
				 uint32_t start, unsigned max,
				 struct fm_err *err)
{
	uint8_t buf[SW_FMP_MAX_PAYLOAD];
	struct sw_fmp_list_rsp r = { 0 };
	unsigned got = 0;
	int ret;

	do {
		unsigned want = max - got;
		struct sw_fmp_list_req q = { start + got, 0, 0 };
		size_t len = 0;

		q.count = (uint16_t)(want > SW_FMP_FN_PAGE_MAX
					     ? SW_FMP_FN_PAGE_MAX
					     : want);
		sw_fmp_encode(buf, &sw_fmp_layout_list_req, &q);
		ret = sw_fmp_client_call(buf, &len, sizeof(buf), c,
					 SW_FMP_OP_LIST_FUNCTIONS, buf,
					 sizeof(q), err);
		if (ret < 0)
			return ret;
		if (len < sizeof(r))
			goto bad;
		sw_fmp_decode(&r, &sw_fmp_layout_list_rsp, buf);
		if (r.count > q.count ||
		    len != sizeof(r) + r.count * sizeof(struct sw_fmp_fn))
			goto bad;
		for (unsigned i = 0; i < r.count; i++)
			sw_fmp_decode(&out[got + i], &sw_fmp_layout_fn,
				      buf + sizeof(r) +
					      i * sizeof(struct sw_fmp_fn));
		got += r.count;
		if (r.count < q.count)
			break;
	} while (got < max);
	*n = got;
	if (total)
		*total = r.total;
	return 0;
bad:
	return fm_err_set(err, FM_EPARSE,
			  "fmp list functions: malformed response page at "
			  "index %u",
			  start + got);
}

int sw_fmp_client_partition(struct sw_fmp_part_rsp *out,
			    struct sw_fmp_vppb *vppbs, struct sw_fmp_client *c,
			    unsigned part, struct fm_err *err)
{
	uint8_t buf[sizeof(*out) + SW_MAX_VPPBS * sizeof(*vppbs)];
	struct sw_fmp_part_req q = { (uint16_t)part, 0 };
	uint8_t qbuf[sizeof(q)];
	size_t len = 0;
	int ret;

	if (part > UINT16_MAX)
		return fm_err_set(err, FM_ERANGE,
				  "fmp get partition: partition %u out of "
				  "range",
				  part);
	sw_fmp_encode(qbuf, &sw_fmp_layout_part_req, &q);
	ret = sw_fmp_client_call(buf, &len, sizeof(buf), c,
				 SW_FMP_OP_GET_PARTITION, qbuf, sizeof(qbuf),
				 err);
	if (ret < 0)
		return ret;
	if (len < sizeof(*out))
		goto bad;
	sw_fmp_decode(out, &sw_fmp_layout_part_rsp, buf);
	if (out->nvppbs > SW_MAX_VPPBS ||
	    len != sizeof(*out) + out->nvppbs * sizeof(*vppbs))
		goto bad;
	for (unsigned i = 0; i < out->nvppbs; i++)
		sw_fmp_decode(&vppbs[i], &sw_fmp_layout_vppb,
			      buf + sizeof(*out) + i * sizeof(*vppbs));
	return 0;
bad:
	return fm_err_set(err, FM_EPARSE,
			  "fmp get partition: malformed response of %zu "
			  "bytes",
			  len);
}

int sw_fmp_client_bind(unsigned *vppb_out, struct sw_fmp_client *c,
		       uint32_t fid, unsigned part, int vppb,
		       struct fm_err *err)
{
	struct sw_fmp_bind_req q = { fid, (uint16_t)part, SW_FMP_VPPB_ANY };
	struct sw_fmp_bind_rsp r = { 0 };
	int ret;

	if (part > UINT16_MAX || vppb >= SW_FMP_VPPB_ANY)
		return fm_err_set(err, FM_ERANGE,
				  "fmp bind: partition %u vppb %d out of range",
				  part, vppb);
	if (vppb >= 0)
		q.vppb = (uint16_t)vppb;
	ret = fmp_call_fixed(&r, &sw_fmp_layout_bind_rsp, c, SW_FMP_OP_BIND,
			     &sw_fmp_layout_bind_req, &q, err);
	if (ret == 0 && vppb_out)
		*vppb_out = r.vppb;
	return ret;
}

int sw_fmp_client_unbind(struct sw_fmp_client *c, uint32_t fid,
			 enum sw_unbind_mode mode, struct fm_err *err)
{
	struct sw_fmp_unbind_req q = { fid, (uint8_t)mode, { 0 } };

	if ((unsigned)mode > UINT8_MAX)
		return fm_err_set(err, FM_ERANGE,
				  "fmp unbind: mode %u out of range",
				  (unsigned)mode);
	return fmp_call_fixed(NULL, NULL, c, SW_FMP_OP_UNBIND,
			      &sw_fmp_layout_unbind_req, &q, err);
}

int sw_fmp_client_reset_function(struct sw_fmp_client *c, uint32_t fid,
				 struct fm_err *err)
{
	struct sw_fmp_fid_req q = { fid };

	return fmp_call_fixed(NULL, NULL, c, SW_FMP_OP_RESET_FUNCTION,
			      &sw_fmp_layout_fid_req, &q, err);
}

int sw_fmp_client_events(struct sw_fmp_event *out,
			 struct sw_fmp_events_rsp *page,
			 struct sw_fmp_client *c, uint64_t since, unsigned max,
			 struct fm_err *err)
{
	uint8_t buf[SW_FMP_MAX_PAYLOAD];
	struct sw_fmp_events_req q = { since, 0, { 0 } };
	size_t len = 0;
	int ret;

	q.count =
		(uint16_t)(max > SW_FMP_EV_PAGE_MAX ? SW_FMP_EV_PAGE_MAX : max);
	sw_fmp_encode(buf, &sw_fmp_layout_events_req, &q);
	ret = sw_fmp_client_call(buf, &len, sizeof(buf), c,
				 SW_FMP_OP_GET_EVENTS, buf, sizeof(q), err);
	if (ret < 0)
		return ret;
	if (len < sizeof(*page))
		goto bad;
	sw_fmp_decode(page, &sw_fmp_layout_events_rsp, buf);
	if (page->count > q.count ||
	    len != sizeof(*page) + page->count * sizeof(*out))
		goto bad;
	for (unsigned i = 0; i < page->count; i++)
		sw_fmp_decode(&out[i], &sw_fmp_layout_event,
			      buf + sizeof(*page) + i * sizeof(*out));
	return 0;
bad:
	return fm_err_set(err, FM_EPARSE,
			  "fmp get events: malformed response of %zu bytes",
			  len);
}

int sw_fmp_client_save_config(struct sw_fmp_client *c, struct fm_err *err)
{
	return fmp_call_fixed(NULL, NULL, c, SW_FMP_OP_SAVE_CONFIG, NULL, NULL,
			      err);
}

int sw_fmp_client_load_config(struct sw_fmp_client *c, struct fm_err *err)
{
	return fmp_call_fixed(NULL, NULL, c, SW_FMP_OP_LOAD_CONFIG, NULL, NULL,
			      err);
}
