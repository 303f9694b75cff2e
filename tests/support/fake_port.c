/* SPDX-License-Identifier: MIT */
/*
 * fake_port.c - a test-side link partner; see fake_port.h.
 */
#include "tests/support/fake_port.h"

#include <stdlib.h>
#include <string.h>

static int t_fake_port_rx(struct sim_port *port, const struct fab_tlp *req,
			  struct fab_tlp *cpl)
{
	struct t_fake_port *fp = port->owner;

	if (fp->nrx == fp->rx_cap) {
		unsigned cap = fp->rx_cap ? fp->rx_cap * 2 : 16;
		struct fab_tlp *rx = realloc(fp->rx, cap * sizeof(*rx));

		/* a test that runs out of memory fails loudly, not silently */
		if (!rx)
			abort();
		fp->rx = rx;
		fp->rx_cap = cap;
	}
	fp->rx[fp->nrx++] = *req;
	if (fp->rx_hook)
		return fp->rx_hook(fp, req, cpl);
	if (!fab_tlp_is_nonposted(req))
		return SIM_RX_ACCEPTED;
	fab_tlp_complete(cpl, req, fp->rid, fp->np_status);
	if (cpl->type == FAB_TLP_CPLD)
		memset(cpl->data, fp->rd_fill, cpl->len);
	return SIM_RX_COMPLETED;
}

static void t_fake_port_link_event(struct sim_port *port, bool up)
{
	struct t_fake_port *fp = port->owner;

	if (up)
		fp->link_ups++;
	else
		fp->link_downs++;
}

static void t_fake_port_hot_reset(struct sim_port *port)
{
	struct t_fake_port *fp = port->owner;

	fp->hot_resets++;
}

static const struct sim_port_ops t_fake_port_ops = {
	.rx = t_fake_port_rx,
	.link_event = t_fake_port_link_event,
	.hot_reset = t_fake_port_hot_reset,
};

void t_fake_port_init(struct t_fake_port *fp)
{
	memset(fp, 0, sizeof(*fp));
	fp->port.ops = &t_fake_port_ops;
	fp->port.owner = fp;
	fp->np_status = FAB_CPL_SC;
}

void t_fake_port_fini(struct t_fake_port *fp)
{
	sim_link_free(fp->link);
	free(fp->rx);
	t_fake_port_init(fp);
}

int t_fake_port_connect(struct t_fake_port *fp, struct sim_clock *clk,
			struct sim_port *dev, const struct sim_link_desc *desc,
			struct fm_err *err)
{
	int ret;

	ret = sim_link_new(&fp->link, clk, &fp->port, dev, desc, err);
	if (ret < 0)
		return ret;
	sim_link_train(fp->link);
	sim_clock_run_for(clk, desc->train_ns);
	if (!sim_link_is_up(fp->link))
		return fm_err_set(err, FM_EIO, "fake port: link did not train");
	return 0;
}

int t_fake_port_send(struct fab_tlp *cpl, struct t_fake_port *fp,
		     const struct fab_tlp *req)
{
	return sim_port_tx(&fp->port, req, cpl);
}

/* Send a non-posted request; no completion at all counts as UR. */
static void t_fake_port_np(struct fab_tlp *cpl, struct t_fake_port *fp,
			   struct fab_tlp *req)
{
	req->tag = fp->tag++;
	if (t_fake_port_send(cpl, fp, req) != SIM_RX_COMPLETED)
		fab_tlp_complete(cpl, req, fp->rid, FAB_CPL_UR);
}

static uint32_t t_fake_port_ones(unsigned len)
{
	return len >= 4 ? 0xffffffffu : (1u << (8 * len)) - 1;
}

int t_fake_port_cfg_read(uint32_t *val, struct t_fake_port *fp, uint16_t rid,
			 uint16_t reg, unsigned len)
{
	struct fab_tlp req, cpl;
	int ret;

	ret = fab_tlp_cfg_read(&req, false, fp->rid, rid, reg, len, NULL);
	if (ret < 0)
		return ret;
	t_fake_port_np(&cpl, fp, &req);
	*val = cpl.status == FAB_CPL_SC ? fab_tlp_cfg_value(&cpl)
					: t_fake_port_ones(len);
	return cpl.status;
}

int t_fake_port_cfg_write(struct t_fake_port *fp, uint16_t rid, uint16_t reg,
			  unsigned len, uint32_t val)
{
	struct fab_tlp req, cpl;
	int ret;

	ret = fab_tlp_cfg_write(&req, false, fp->rid, rid, reg, len, val, NULL);
	if (ret < 0)
		return ret;
	t_fake_port_np(&cpl, fp, &req);
	return cpl.status;
}

uint32_t t_fake_port_cfg_value(struct t_fake_port *fp, uint16_t rid,
			       uint16_t reg, unsigned len)
{
	uint32_t val = t_fake_port_ones(len);

	t_fake_port_cfg_read(&val, fp, rid, reg, len);
	return val;
}

int t_fake_port_mem_read(void *buf, struct t_fake_port *fp, uint64_t addr,
			 unsigned len)
{
	struct fab_tlp req, cpl;
	int ret;

	ret = fab_tlp_mem_read(&req, fp->rid, addr, len, NULL);
	if (ret < 0)
		return ret;
	t_fake_port_np(&cpl, fp, &req);
	if (cpl.status == FAB_CPL_SC)
		memcpy(buf, cpl.data, len);
	else
		memset(buf, 0xff, len);
	return cpl.status;
}

int t_fake_port_mem_write(struct t_fake_port *fp, uint64_t addr,
			  const void *buf, unsigned len)
{
	struct fab_tlp req, cpl;
	int ret;

	ret = fab_tlp_mem_write(&req, fp->rid, addr, buf, len, NULL);
	if (ret < 0)
		return ret;
	return t_fake_port_send(&cpl, fp, &req);
}

static uint32_t t_fake_port_reader_read(void *ctx, uint16_t off, unsigned len)
{
	struct t_fake_port_fn *fn = ctx;

	return t_fake_port_cfg_value(fn->fp, fn->rid, off, len);
}

void t_fake_port_reader_init(struct fab_cfg_reader *r,
			     struct t_fake_port_fn *fn)
{
	r->read = t_fake_port_reader_read;
	r->ctx = fn;
}

unsigned t_fake_port_rx_count(const struct t_fake_port *fp)
{
	return fp->nrx;
}

const struct fab_tlp *t_fake_port_rx_tlp(const struct t_fake_port *fp,
					 unsigned i)
{
	return i < fp->nrx ? &fp->rx[i] : NULL;
}

void t_fake_port_rx_clear(struct t_fake_port *fp)
{
	fp->nrx = 0;
}
