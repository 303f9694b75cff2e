/* SPDX-License-Identifier: MIT */
/*
 * test_isolation_random.c - issue 3 point 5: at least 1,000,000 requests
 * from every blade and every function while functions are bound,
 * unbound (managed, managed with a blade that ignores the button so the
 * surprise fallback runs, surprise, wait-for-link-down) and moved at
 * random over examples/chassis-rack.json (8 blades, two switches joined
 * by a fabric link, SR-IOV NICs and NVMe drives, a plain accelerator),
 * each checked against an independent model of who owns what.
 *
 * The model is built only from what the test asked for (sw_fw_bind() and
 * sw_fw_unbind() with explicit vPPBs) and from the firmware's event log
 * (the notify callback: every event as it is logged).  Host addresses are
 * learnt from each blade's own enumeration (its hot-plug records and
 * sim_blade_dev*()), never from firmware internals.  What a request must
 * do, by the model state of the function it aims at:
 *
 *  - bound, host link up (SW_EV_HOST_ENABLED) and enumerated by its
 *    owner: the owner's memory requests at its BARs land in it at that
 *    offset (sim_fn_mem_peek/_requests), reads return what the owner last
 *    wrote there (nothing of an earlier owner survives the FLR), its DMA
 *    lands in the owner's RAM, the owner's config reads return its IDs
 *    and class;
 *  - unbinding (SW_EV_UNBIND_START .. SW_EV_UNBIND), and for DMA bound but
 *    not enumerated yet: delivered to the old owner or refused, nothing
 *    else;
 *  - anything else (adding, detached, in reset, free), and every request
 *    of another blade: refused.
 *
 * Refused means: a memory read completes with UR and all ones, a write
 * lands nowhere, DMA reaches no blade's RAM; and exactly one
 * SW_EV_VIOLATION names the request (partition and address for a blade's
 * request, the function for DMA), and the ingress port's ur/dropped
 * counter grows by one.  A request the model gives to nobody never
 * reaches any function: every function's request counter is checked
 * against the model after every batch, and the functions that other
 * blades see at the same address after every request.  Config reads of a
 * bus or function not bound to the blade read all ones.  After each batch
 * the model's states are also compared with what sw_fw_function_find()
 * reports, so an event the model missed shows at once.
 *
 * The seed is fixed and printed; MRFABRIC_ISO_SEED=<n> runs another.
 */
#include <inttypes.h>
#include <stdarg.h>

#include "tests/switchfw/fw_fixture.h"

/*
 * Requests per run; MRFABRIC_ISO_REQUESTS=<n> runs more (a soak).  About
 * 1 s in the normal build and 2 s under AddressSanitizer, so the
 * sanitizer build runs the full count too.
 */
#define ISO_REQUESTS 1000000ULL

#define ISO_SEED 0x150a7e5eedULL
#define ISO_BATCH 400	 /* requests between two churn steps, on average */
#define ISO_MAX_FNS 512	 /* functions of the chassis */
#define ISO_MAX_BLADES 8 /* blades of the chassis */
#define ISO_VPPBS 8	 /* vPPBs per partition */
#define ISO_SLOTS 8	 /* dwords of each BAR the blades use */
#define ISO_DMA_BASE 0x10000000ULL /* DMA of function i: 16 bytes at +16i */
#define ISO_FAILS_SHOWN 20
#define ISO_MAX_PORTS 32

/* Unbind timeouts short enough for many to run out during the test. */
#define ISO_MANAGED_TIMEOUT_NS (7 * FAB_NS_PER_S)
#define ISO_LINK_DOWN_TIMEOUT_NS (4 * FAB_NS_PER_S)

/* The endpoints of examples/chassis-rack.json, as it declares them. */
struct iso_kind {
	const char *prefix;
	uint16_t vendor;
	uint16_t device;
	uint16_t vf_device;
	uint32_t class_rev; /* Class Code << 8 | Revision ID */
};

static const struct iso_kind iso_kinds[] = {
	{ "nic", 0x15b3, 0x1021, 0x101e, 0x02000000 },
	{ "nvme", 0x144d, 0xa824, 0xa824, 0x01080200 },
	{ "accel", 0x1da3, 0x1000, 0, 0x12000001 },
};

enum iso_state {
	ISO_FREE = 0,  /* reset, no owner */
	ISO_ADDING,    /* bound; its host link not up yet */
	ISO_ENABLED,   /* bound; SW_EV_HOST_ENABLED seen */
	ISO_UNBINDING, /* SW_EV_UNBIND_START seen, SW_EV_UNBIND not yet */
	ISO_RESETTING, /* SW_EV_UNBIND seen, SW_EV_FLR_DONE not yet */
	ISO_FAILED,    /* SW_EV_FLR_TIMEOUT */
	ISO_FABRIC,    /* an SR-IOV PF: never bound here */
};

/* What a request must do. */
enum iso_expect {
	ISO_MUST = 0, /* delivered to the function the model names */
	ISO_MAY,      /* old owner during unbind: delivered or refused */
	ISO_MUST_NOT, /* refused */
};

struct iso_fn {
	struct sim_fn *sim;
	uint32_t fid;
	const struct iso_kind *kind;
	bool is_vf;
	uint8_t state; /* enum iso_state */
	int blade;     /* owner while ADDING..UNBINDING, else -1 */
	int vppb;
	uint8_t mode;	  /* enum sw_unbind_mode of the unbind in progress */
	bool host_acts;	  /* wait mode: the host will take the link down */
	int move_to;	  /* bind to this blade once reset, or -1 */
	bool rogue;	  /* Bus Master Enable set behind firmware's back */
	uint64_t mem_req; /* memory requests that reached it */
	uint32_t shadow[6][ISO_SLOTS];
};

/* A function as a blade enumerated it below one of its vPPBs. */
struct iso_view {
	bool valid;
	int fn;
	uint64_t addr[6];
	uint64_t size[6];
};

struct iso_blade {
	struct sim_blade *b;
	unsigned part;
	uint8_t chip, port;
	bool ignores; /* ignores attention-button removal requests */
	uint16_t vppb_rid[ISO_VPPBS];
	uint8_t sec[ISO_VPPBS];
	uint16_t exp[ISO_VPPBS];       /* PCI Express capability of each vPPB */
	uint64_t win[ISO_VPPBS][2][2]; /* [mem, pref][base, limit] */
	int own[ISO_VPPBS];	       /* model: function bound there, or -1 */
	int last[ISO_VPPBS];	       /* the last function bound there */
	bool link_off[ISO_VPPBS];      /* the test set Link Disable */
	struct iso_view view[ISO_VPPBS];
	unsigned hp_seen;
};

struct iso_ctr {
	uint64_t ur, dropped;
};

/* The request being checked: what the event log said during it. */
struct iso_req {
	unsigned violations;
	struct sw_event ev;
};

struct iso_stats {
	uint64_t requests;
	uint64_t mmio_rd, mmio_wr, cfg_rd, dma_rd, dma_wr, dma_not_sent;
	uint64_t delivered, refused, during_unbind;
	uint64_t stale;	 /* to a function its blade still lists, unbound */
	uint64_t remote; /* delivered across the fabric link */
	uint64_t binds, binds_refused, unbinds[3], unbinds_refused;
	uint64_t fallbacks, link_downs, unbind_failed, moves, flrs;
	uint64_t steps, violation_events;
};

struct iso {
	struct fwt t;
	uint64_t seed, rng;
	unsigned nfns;
	struct iso_fn fn[ISO_MAX_FNS];
	unsigned nblades;
	struct iso_blade bl[ISO_MAX_BLADES];
	uint64_t ram[ISO_MAX_BLADES][ISO_MAX_FNS]; /* DMA slot of each fn */
	struct sw_event *q; /* events the notify callback queued */
	unsigned qn, qcap;
	uint64_t seq; /* of the last event queued */
	struct iso_ctr ctr0[SW_MAX_CHIPS][ISO_MAX_PORTS]; /* at the start */
	struct iso_ctr ctr[SW_MAX_CHIPS][ISO_MAX_PORTS];  /* expected growth */
	unsigned nports[SW_MAX_CHIPS];
	/* the call in progress, for checking the events it logs */
	int want_bind, want_unbind;
	uint32_t wseq;
	uint64_t dseq;
	uint64_t violations; /* of the model: must stay 0 */
	bool quiet;
	struct iso_stats st;
};

/* ---------------------------------------------------------------------
 * Small things.
 */

static uint64_t iso_rand(struct iso *m)
{
	/* splitmix64: fixed, fast, good enough to pick things */
	uint64_t z = (m->rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static unsigned iso_pick(struct iso *m, unsigned n)
{
	return (unsigned)(iso_rand(m) % n);
}

static void iso_fail(struct iso *m, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* A violation of the model: counted, and the first few described. */
static void iso_fail(struct iso *m, const char *fmt, ...)
{
	va_list ap;

	m->violations++;
	if (m->quiet || m->violations > ISO_FAILS_SHOWN)
		return;
	fprintf(stderr,
		"isolation model violation #%" PRIu64 " (seed %#" PRIx64
		", step %" PRIu64 ", request %" PRIu64 ", t=%" PRIu64 " ns): ",
		m->violations, m->seed, m->st.steps, m->st.requests,
		sim_clock_now(m->t.clk));
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static const char *iso_state_name(uint8_t s)
{
	static const char *const names[] = {
		[ISO_FREE] = "free",	       [ISO_ADDING] = "adding",
		[ISO_ENABLED] = "enabled",     [ISO_UNBINDING] = "unbinding",
		[ISO_RESETTING] = "resetting", [ISO_FAILED] = "failed",
		[ISO_FABRIC] = "fabric",
	};

	return s < FM_ARRAY_SIZE(names) ? names[s] : "?";
}

static int iso_fn_by_fid(const struct iso *m, uint32_t fid)
{
	for (unsigned i = 0; i < m->nfns; i++)
		if (m->fn[i].fid == fid)
			return (int)i;
	return -1;
}

static uint64_t iso_dma_addr(unsigned f)
{
	return ISO_DMA_BASE + 16ULL * f;
}

/* The IDs the host must see: a VF has its PF's Vendor ID, VF Device ID. */
static uint32_t iso_fn_ids(const struct iso_fn *fn)
{
	uint16_t dev = fn->is_vf ? fn->kind->vf_device : fn->kind->device;

	return (uint32_t)dev << 16 | fn->kind->vendor;
}

/* ---------------------------------------------------------------------
 * The event log.
 */

static void iso_notify(void *ctx, const struct sw_event *ev)
{
	struct iso *m = ctx;

	/* the model sees every event, in order */
	if (ev->seq != m->seq + 1)
		iso_fail(m, "event seq %" PRIu64 " after %" PRIu64, ev->seq,
			 m->seq);
	m->seq = ev->seq;
	if (m->qn == m->qcap) {
		m->qcap = m->qcap ? 2 * m->qcap : 64;
		m->q = realloc(m->q, m->qcap * sizeof(*m->q));
		cr_assert_not_null(m->q);
	}
	m->q[m->qn++] = *ev;
}

/* The function leaves its owner (SW_EV_UNBIND). */
static void iso_fn_detach(struct iso *m, struct iso_fn *fn)
{
	struct iso_blade *bl = &m->bl[fn->blade];

	bl->own[fn->vppb] = -1;
	fn->blade = -1;
	fn->vppb = -1;
	fn->state = ISO_RESETTING;
}

/* Does @ev name the function's current owner and vPPB? */
static bool iso_ev_at_owner(const struct iso *m, const struct iso_fn *fn,
			    const struct sw_event *ev)
{
	return fn->blade >= 0 && ev->partition == (int)m->bl[fn->blade].part &&
	       ev->vppb == fn->vppb;
}

static void iso_ev_apply(struct iso *m, const struct sw_event *ev)
{
	int f = iso_fn_by_fid(m, ev->fid);
	struct iso_fn *fn = f >= 0 ? &m->fn[f] : NULL;
	const char *name = sw_event_type_name((enum sw_event_type)ev->type);

	if (!fn) {
		iso_fail(m, "event %s for fid %#x the test never used", name,
			 ev->fid);
		return;
	}
	switch (ev->type) {
	case SW_EV_BIND:
		/* logged inside the sw_fw_bind() the test made */
		if (m->want_bind != f || !iso_ev_at_owner(m, fn, ev))
			iso_fail(m, "unasked bind of %#x to part %d vppb %d",
				 fn->fid, ev->partition, ev->vppb);
		m->want_bind = -1;
		break;
	case SW_EV_HOST_ENABLED:
		if (fn->state != ISO_ADDING || !iso_ev_at_owner(m, fn, ev)) {
			iso_fail(m, "host-enabled for %#x in state %s", fn->fid,
				 iso_state_name(fn->state));
			break;
		}
		fn->state = ISO_ENABLED;
		break;
	case SW_EV_UNBIND_START:
		if (m->want_unbind != f || !iso_ev_at_owner(m, fn, ev) ||
		    (fn->state != ISO_ADDING && fn->state != ISO_ENABLED)) {
			iso_fail(m, "unasked unbind start of %#x (state %s)",
				 fn->fid, iso_state_name(fn->state));
			break;
		}
		m->want_unbind = -1;
		fn->state = ISO_UNBINDING;
		break;
	case SW_EV_MANAGED_FALLBACK:
		if (fn->state != ISO_UNBINDING ||
		    fn->mode != SW_UNBIND_MANAGED || !m->bl[fn->blade].ignores)
			iso_fail(m, "managed fallback of %#x that was not due",
				 fn->fid);
		m->st.fallbacks++;
		break;
	case SW_EV_UNBIND:
		if (fn->state != ISO_UNBINDING || !iso_ev_at_owner(m, fn, ev)) {
			iso_fail(m, "unbind of %#x in state %s", fn->fid,
				 iso_state_name(fn->state));
			break;
		}
		iso_fn_detach(m, fn);
		break;
	case SW_EV_UNBIND_FAILED:
		/* the host did not take the link down in time */
		if (fn->state != ISO_UNBINDING ||
		    fn->mode != SW_UNBIND_WAIT_LINK_DOWN) {
			iso_fail(m, "unbind of %#x failed unexpectedly",
				 fn->fid);
			break;
		}
		/* the function stays where it was, as it was */
		fn->state = ISO_ENABLED;
		fn->host_acts = false;
		fn->move_to = -1;
		m->st.unbind_failed++;
		break;
	case SW_EV_FLR_DONE:
		if (fn->state != ISO_RESETTING) {
			iso_fail(m, "FLR done of %#x in state %s", fn->fid,
				 iso_state_name(fn->state));
			break;
		}
		/* the reset wiped its memory and Command (no more rogue) */
		memset(fn->shadow, 0, sizeof(fn->shadow));
		fn->rogue = false;
		fn->state = ISO_FREE;
		m->st.flrs++;
		break;
	default:
		iso_fail(m, "unexpected event %s for %#x", name, fn->fid);
		break;
	}
}

/*
 * Apply the events logged since the last call.  Violations belong to the
 * request @req in progress; there is none outside a request.
 */
static void iso_drain(struct iso *m, struct iso_req *req)
{
	for (unsigned i = 0; i < m->qn; i++) {
		const struct sw_event *ev = &m->q[i];

		if (ev->type != SW_EV_VIOLATION) {
			iso_ev_apply(m, ev);
			continue;
		}
		m->st.violation_events++;
		if (!req) {
			iso_fail(m,
				 "violation outside a request: part %d chip %u "
				 "port %u detail %#" PRIx64,
				 ev->partition, ev->chip, ev->port, ev->detail);
			continue;
		}
		req->violations++;
		req->ev = *ev;
	}
	m->qn = 0;
}

/* Count the refusal the violation @ev reported on its ingress port. */
static void iso_count_refusal(struct iso *m, const struct sw_event *ev,
			      bool posted)
{
	struct iso_ctr *c;

	if (ev->chip >= SW_MAX_CHIPS || ev->port >= ISO_MAX_PORTS) {
		iso_fail(m, "violation on chip %u port %u", ev->chip, ev->port);
		return;
	}
	c = &m->ctr[ev->chip][ev->port];
	if (posted)
		c->dropped++;
	else
		c->ur++;
}

/* ---------------------------------------------------------------------
 * What the blades enumerated (their hot-plug records).
 */

static int iso_vppb_by_rid(const struct iso_blade *bl, uint16_t rid)
{
	for (unsigned v = 0; v < ISO_VPPBS; v++)
		if (bl->vppb_rid[v] == rid)
			return (int)v;
	return -1;
}

static void iso_view_learn(struct iso *m, struct iso_blade *bl, int v,
			   uint16_t dev_rid)
{
	int f = bl->last[v];
	const struct sim_host_dev *d = sim_blade_dev_find(bl->b, dev_rid);
	struct iso_view *w = &bl->view[v];

	if (f < 0) {
		iso_fail(m, "%s enumerated %04x below vPPB %d, never bound",
			 sim_blade_name(bl->b), dev_rid, v);
		return;
	}
	/* added and removed again within one clock run */
	if (!d)
		return;
	if (dev_rid != FAB_RID(bl->sec[v], 0, 0) ||
	    ((uint32_t)d->device << 16 | d->vendor) != iso_fn_ids(&m->fn[f])) {
		iso_fail(m, "%s enumerated %04x:%04x at %04x, bound: %#x",
			 sim_blade_name(bl->b), d->vendor, d->device, dev_rid,
			 m->fn[f].fid);
		return;
	}
	memset(w, 0, sizeof(*w));
	w->valid = true;
	w->fn = f;
	for (unsigned k = 0; k < 6; k++) {
		/* BARs too small for the slots the test uses stay unused */
		if (d->bar[k].size < 4 * ISO_SLOTS || !d->bar[k].addr)
			continue;
		w->addr[k] = d->bar[k].addr;
		w->size[k] = d->bar[k].size;
	}
}

static void iso_hp_sync(struct iso *m)
{
	for (unsigned i = 0; i < m->nblades; i++) {
		struct iso_blade *bl = &m->bl[i];
		unsigned n = sim_blade_hp_count(bl->b);

		for (; bl->hp_seen < n; bl->hp_seen++) {
			const struct sim_hp_record *r =
				sim_blade_hp_record(bl->b, bl->hp_seen);
			int v = iso_vppb_by_rid(bl, r->port_rid);

			if (v < 0)
				continue;
			if (r->action == SIM_HP_DEV_ADDED)
				iso_view_learn(m, bl, v, r->dev_rid);
			else if (r->action == SIM_HP_DEV_REMOVED)
				bl->view[v].valid = false;
		}
	}
}

/* After anything that may have logged events or changed what blades see. */
static void iso_sync(struct iso *m)
{
	iso_drain(m, NULL);
	iso_hp_sync(m);
}

/* ---------------------------------------------------------------------
 * Set-up: the chassis as the silicon describes it (chip HAL port info),
 * the blades' virtual hierarchies as they enumerated them at boot.
 */

static const struct iso_kind *iso_kind_of(const char *name)
{
	for (unsigned i = 0; i < FM_ARRAY_SIZE(iso_kinds); i++)
		if (!strncmp(name, iso_kinds[i].prefix,
			     strlen(iso_kinds[i].prefix)))
			return &iso_kinds[i];
	return NULL;
}

static void iso_fn_add(struct iso *m, struct sim_fn *sim, uint32_t fid,
		       const struct iso_kind *kind, uint8_t state)
{
	struct iso_fn *fn;

	cr_assert_lt(m->nfns, ISO_MAX_FNS);
	fn = &m->fn[m->nfns++];
	memset(fn, 0, sizeof(*fn));
	fn->sim = sim;
	fn->fid = fid;
	fn->kind = kind;
	fn->is_vf = sim_fn_is_vf(sim);
	fn->state = state;
	fn->blade = -1;
	fn->vppb = -1;
	fn->move_to = -1;
}

static void iso_add_endpoint(struct iso *m, unsigned chip, unsigned port,
			     const char *name)
{
	struct sim_ep *ep = fwt_ep(&m->t, name);
	const struct iso_kind *kind = iso_kind_of(name);
	unsigned nvfs = sim_ep_num_vfs_enabled(ep);

	cr_assert_not_null(kind, "endpoint %s of unknown kind", name);
	/* an SR-IOV PF stays the fabric's; a plain device is bound whole */
	iso_fn_add(m, sim_ep_pf(ep), SW_FID(chip, port, 0), kind,
		   nvfs ? ISO_FABRIC : ISO_FREE);
	for (unsigned i = 0; i < nvfs; i++)
		iso_fn_add(m, sim_ep_vf(ep, i), SW_FID(chip, port, i + 1), kind,
			   ISO_FREE);
}

static void iso_add_blade(struct iso *m, unsigned part, unsigned chip,
			  unsigned port, const char *name)
{
	struct iso_blade *bl;
	const struct sim_host_dev *rp = NULL, *usp = NULL;
	unsigned i;

	cr_assert_lt(m->nblades, ISO_MAX_BLADES);
	bl = &m->bl[m->nblades++];
	memset(bl, 0, sizeof(*bl));
	bl->b = fwt_blade(&m->t, name);
	bl->part = part;
	bl->chip = (uint8_t)chip;
	bl->port = (uint8_t)port;
	/* its root port, the virtual upstream bridge below, the vPPBs */
	for (i = 0; i < sim_blade_dev_count(bl->b) && !usp; i++) {
		const struct sim_host_dev *d = sim_blade_dev(bl->b, i);

		if (d->is_bridge && d->parent_rid == 0xffff)
			rp = d;
		else if (rp && d->parent_rid == rp->rid)
			usp = d;
	}
	cr_assert_not_null(usp, "%s: no virtual upstream bridge", name);
	for (unsigned v = 0; v < ISO_VPPBS; v++) {
		uint16_t rid = FAB_RID(usp->sec_bus, v, 0);
		const struct sim_host_dev *d = sim_blade_dev_find(bl->b, rid);

		cr_assert(d && d->is_bridge && d->hotplug_slot,
			  "%s: no vPPB %u", name, v);
		bl->vppb_rid[v] = rid;
		bl->sec[v] = d->sec_bus;
		bl->exp[v] = fwt_host_cap(bl->b, rid, PCI_CAP_ID_EXP);
		cr_assert_neq(bl->exp[v], 0);
		bl->win[v][0][0] = d->mem_base;
		bl->win[v][0][1] = d->mem_limit;
		bl->win[v][1][0] = d->pref_base;
		bl->win[v][1][1] = d->pref_limit;
		bl->own[v] = -1;
		bl->last[v] = -1;
	}
	bl->hp_seen = sim_blade_hp_count(bl->b);
}

static void iso_setup(struct iso *m, uint64_t seed)
{
	struct sw_fw_config cfg = {
		.vppbs = ISO_VPPBS,
		.managed_timeout_ns = ISO_MANAGED_TIMEOUT_NS,
		.link_down_timeout_ns = ISO_LINK_DOWN_TIMEOUT_NS,
	};
	unsigned part = 0;

	memset(m, 0, sizeof(*m));
	m->seed = seed;
	m->rng = seed;
	m->want_bind = -1;
	m->want_unbind = -1;
	fwt_setup(&m->t, "examples/chassis-rack.json", &cfg);
	/* a hot-added accelerator's 16 GiB BAR never fits: no warnings */
	fm_log_set_level(FM_LOG_ERROR);
	m->seq = sw_fw_last_event_seq(m->t.fw);
	sw_fw_set_notify(m->t.fw, iso_notify, m);
	/* partitions are numbered in chip, then port order (switchfw.h) */
	for (unsigned c = 0; c < m->t.nchips; c++) {
		struct fab_chip *chip = m->t.chips[c];
		struct fab_chip_info ci;

		cr_assert_eq(chip->ops->get_info(chip, &ci), 0);
		cr_assert_leq(ci.nports, ISO_MAX_PORTS);
		m->nports[c] = ci.nports;
		for (unsigned p = 0; p < ci.nports; p++) {
			struct fab_port_info pi;
			struct fab_port_status ps;

			cr_assert_eq(chip->ops->port_info(chip, p, &pi, NULL),
				     0);
			cr_assert_eq(
				sw_fw_port_status(m->t.fw, c, p, &ps, NULL), 0);
			m->ctr0[c][p].ur = ps.counters.ur;
			m->ctr0[c][p].dropped = ps.counters.dropped;
			if (pi.kind == FAB_PORT_UPSTREAM)
				iso_add_blade(m, part++, c, p, pi.label);
			else if (pi.kind == FAB_PORT_DOWNSTREAM && pi.label[0])
				iso_add_endpoint(m, c, p, pi.label);
		}
	}
	cr_assert_eq(part, sw_fw_partition_count(m->t.fw));
	cr_assert_eq(m->nfns, sw_fw_function_count(m->t.fw));
	/* one blade per switch ignores the attention button */
	for (unsigned i = 0; i < m->nblades; i++) {
		m->bl[i].ignores = i % 4 == 2;
		sim_blade_set_ignore_removal(m->bl[i].b, m->bl[i].ignores);
	}
	iso_sync(m);
}

static void iso_teardown(struct iso *m)
{
	sw_fw_set_notify(m->t.fw, NULL, NULL);
	fwt_teardown(&m->t);
	free(m->q);
}

/* ---------------------------------------------------------------------
 * Requests from blades.
 */

/*
 * What the model says of blade @b's memory request at @addr: the
 * function the blade enumerated there (*f, in view *w, BAR *k; the
 * address moved down to the start of its slot), and whether it must, may
 * or must not get the request.
 */
static enum iso_expect iso_mmio_expect(int *f, const struct iso_view **w,
				       unsigned *k, uint64_t *addr,
				       const struct iso *m, unsigned b)
{
	const struct iso_blade *bl = &m->bl[b];

	*f = -1;
	*w = NULL;
	for (unsigned v = 0; v < ISO_VPPBS; v++) {
		const struct iso_view *vw = &bl->view[v];
		const struct iso_fn *fn;

		for (unsigned i = 0; vw->valid && i < 6; i++) {
			uint64_t stride = vw->size[i] / ISO_SLOTS;

			if (!vw->size[i] || *addr < vw->addr[i] ||
			    *addr - vw->addr[i] >= vw->size[i])
				continue;
			*f = vw->fn;
			*w = vw;
			*k = i;
			*addr = vw->addr[i] +
				(*addr - vw->addr[i]) / stride * stride;
			fn = &m->fn[vw->fn];
			/* the view may be stale: ownership is the model's */
			if (bl->own[v] != vw->fn)
				return ISO_MUST_NOT;
			if (fn->state == ISO_ENABLED)
				return ISO_MUST;
			if (fn->state == ISO_UNBINDING)
				return ISO_MAY;
			return ISO_MUST_NOT;
		}
	}
	return ISO_MUST_NOT;
}

static unsigned iso_slot(const struct iso_view *w, unsigned k, uint64_t addr)
{
	return (unsigned)((addr - w->addr[k]) / (w->size[k] / ISO_SLOTS));
}

/* The functions other blades see at @addr: where a stray would land. */
static unsigned iso_victims(int *out, const struct iso *m, uint64_t addr,
			    int except)
{
	unsigned n = 0;

	for (unsigned b = 0; b < m->nblades; b++) {
		for (unsigned v = 0; v < ISO_VPPBS; v++) {
			const struct iso_view *w = &m->bl[b].view[v];

			for (unsigned k = 0; w->valid && k < 6; k++)
				if (w->fn != except && w->size[k] &&
				    addr >= w->addr[k] &&
				    addr - w->addr[k] < w->size[k])
					out[n++] = w->fn;
		}
	}
	return n;
}

static void iso_victims_check(struct iso *m, const int *vic, unsigned n,
			      uint64_t addr, unsigned b)
{
	for (unsigned i = 0; i < n; i++) {
		const struct iso_fn *fn = &m->fn[vic[i]];

		if (sim_fn_mem_requests(fn->sim) != fn->mem_req)
			iso_fail(m, "%s's request at %#" PRIx64 " reached %#x",
				 sim_blade_name(m->bl[b].b), addr, fn->fid);
	}
}

/*
 * The outcome of a request checked against @e: @delivered is what the
 * function saw, @req what the event log said.
 */
static void iso_outcome(struct iso *m, enum iso_expect e, bool delivered,
			const struct iso_req *req, const char *what)
{
	bool refused = !delivered && req->violations == 1;

	if ((delivered && req->violations) || req->violations > 1)
		iso_fail(m, "%s: delivered %d with %u violation events", what,
			 delivered, req->violations);
	else if (e == ISO_MUST && !delivered)
		iso_fail(m, "%s: owner's request refused (%u events)", what,
			 req->violations);
	else if (e == ISO_MUST_NOT && delivered)
		iso_fail(m, "%s: delivered though the model owns it to nobody",
			 what);
	else if (!delivered && !refused)
		iso_fail(m, "%s: refused without a violation event", what);
	m->st.delivered += delivered;
	m->st.refused += refused;
	m->st.during_unbind += e == ISO_MAY;
}

/* The refused blade request must be named in its violation event. */
static void iso_blade_refusal(struct iso *m, unsigned b, uint64_t addr,
			      enum iso_expect e, const struct iso_req *req,
			      bool posted)
{
	const struct iso_blade *bl = &m->bl[b];

	if (req->violations != 1)
		return;
	iso_count_refusal(m, &req->ev, posted);
	if (e == ISO_MUST_NOT &&
	    (req->ev.partition != (int)bl->part || req->ev.detail != addr ||
	     req->ev.chip != bl->chip || req->ev.port != bl->port))
		iso_fail(m,
			 "%s's refused request at %#" PRIx64
			 " logged as part %d chip %u port %u detail %#" PRIx64,
			 sim_blade_name(bl->b), addr, req->ev.partition,
			 req->ev.chip, req->ev.port, req->ev.detail);
}

static void iso_mmio(struct iso *m, unsigned b, uint64_t addr, bool write)
{
	struct iso_blade *bl = &m->bl[b];
	struct iso_req req = { 0 };
	int f, vic[ISO_MAX_BLADES * ISO_VPPBS * 6];
	const struct iso_view *w;
	unsigned k = 0, nvic;
	enum iso_expect e = iso_mmio_expect(&f, &w, &k, &addr, m, b);
	struct iso_fn *fn = f >= 0 ? &m->fn[f] : NULL;
	uint32_t val = 0, got = 0;
	uint8_t st = 0xff;
	bool delivered;

	nvic = iso_victims(vic, m, addr, f);
	if (write) {
		val = ++m->wseq;
		cr_assert_eq(sim_blade_mmio_write(bl->b, addr, &val, 4, NULL),
			     0);
		m->st.mmio_wr++;
	} else {
		cr_assert_eq(
			sim_blade_mmio_read(bl->b, addr, &val, 4, &st, NULL),
			0);
		m->st.mmio_rd++;
	}
	m->st.requests++;
	iso_drain(m, &req);
	delivered = fn && sim_fn_mem_requests(fn->sim) == fn->mem_req + 1;
	if (fn && !delivered && sim_fn_mem_requests(fn->sim) != fn->mem_req)
		iso_fail(m, "%#x got %" PRIu64 " requests from one", fn->fid,
			 sim_fn_mem_requests(fn->sim) - fn->mem_req);
	if (delivered) {
		uint64_t off = addr - w->addr[k];
		uint32_t *slot = &fn->shadow[k][iso_slot(w, k, addr)];

		fn->mem_req++;
		cr_assert_eq(sim_fn_mem_peek(fn->sim, k, off, &got, 4, NULL),
			     0);
		if (write && got != val)
			iso_fail(m,
				 "%s wrote %#x at %#" PRIx64
				 ", %#x BAR%u+%#" PRIx64 " holds %#x",
				 sim_blade_name(bl->b), val, addr, fn->fid, k,
				 off, got);
		if (!write && (st != FAB_CPL_SC || val != *slot))
			iso_fail(m,
				 "%s read %#x (status %u) at %#" PRIx64
				 ", the model holds %#x",
				 sim_blade_name(bl->b), val, st, addr, *slot);
		if (write)
			*slot = val;
	} else if (!write && (st != FAB_CPL_UR || val != 0xffffffffu)) {
		iso_fail(m, "%s's refused read at %#" PRIx64 ": status %u, %#x",
			 sim_blade_name(bl->b), addr, st, val);
	}
	iso_outcome(m, e, delivered, &req, write ? "mmio write" : "mmio read");
	m->st.stale += fn && e == ISO_MUST_NOT;
	m->st.remote += delivered && SW_FID_CHIP(fn->fid) != bl->chip;
	iso_blade_refusal(m, b, addr, e, &req, write);
	iso_victims_check(m, vic, nvic, addr, b);
}

/* Config read of device @dev, function @fnum below vPPB @v of blade @b. */
static void iso_cfg(struct iso *m, unsigned b, unsigned v, unsigned dev,
		    unsigned fnum)
{
	struct iso_blade *bl = &m->bl[b];
	uint16_t rid = FAB_RID(bl->sec[v], dev, fnum);
	int f = dev == 0 && fnum == 0 ? bl->own[v] : -1;
	const struct iso_fn *fn = f >= 0 ? &m->fn[f] : NULL;
	enum iso_expect e = ISO_MUST_NOT;
	struct iso_req req = { 0 };
	uint32_t ids = 0, cls = 0;
	bool seen;

	if (fn && fn->state == ISO_ENABLED)
		e = ISO_MUST;
	else if (fn && fn->state == ISO_UNBINDING)
		e = ISO_MAY;
	cr_assert_eq(
		sim_blade_cfg_read(bl->b, rid, PCI_VENDOR_ID, 4, &ids, NULL),
		0);
	m->st.requests++;
	m->st.cfg_rd++;
	seen = fn && ids == iso_fn_ids(fn);
	if (seen) {
		/* past the virtual header: the physical function's own */
		cr_assert_eq(sim_blade_cfg_read(bl->b, rid, PCI_CLASS_REVISION,
						4, &cls, NULL),
			     0);
		m->st.requests++;
		m->st.cfg_rd++;
		if (cls != fn->kind->class_rev)
			iso_fail(m, "%s %04x: class %#x, %#x has %#x",
				 sim_blade_name(bl->b), rid, cls, fn->fid,
				 fn->kind->class_rev);
	}
	iso_drain(m, &req);
	if (req.violations)
		iso_fail(m, "%s config read of %04x logged a violation",
			 sim_blade_name(bl->b), rid);
	if (!seen && ids != 0xffffffffu)
		iso_fail(m, "%s config read of %04x: %#x, bound there: %#x",
			 sim_blade_name(bl->b), rid, ids, fn ? fn->fid : 0);
	else if (e == ISO_MUST && !seen)
		iso_fail(m, "%s cannot read its %#x at %04x",
			 sim_blade_name(bl->b), fn->fid, rid);
	else if (e == ISO_MUST_NOT && seen)
		iso_fail(m, "%s reads %#x at %04x, not bound to it",
			 sim_blade_name(bl->b), fn->fid, rid);
}

/* ---------------------------------------------------------------------
 * DMA from functions.
 */

static enum iso_expect iso_dma_expect(const struct iso *m, unsigned f)
{
	const struct iso_fn *fn = &m->fn[f];
	const struct iso_view *w;

	switch (fn->state) {
	case ISO_ENABLED:
		w = &m->bl[fn->blade].view[fn->vppb];
		/* the host enabled its bus mastering when it enumerated it */
		return w->valid && w->fn == (int)f ? ISO_MUST : ISO_MAY;
	case ISO_UNBINDING:
		return ISO_MAY;
	default:
		return ISO_MUST_NOT;
	}
}

/* A function nobody owns masters anyway (a rogue device, via the HAL). */
static void iso_rogue(struct iso *m, struct iso_fn *fn)
{
	struct fab_chip *chip = m->t.chips[SW_FID_CHIP(fn->fid)];
	uint8_t st = 0xff;

	cr_assert_eq(chip->ops->cfg_write(chip, SW_FID_PORT(fn->fid),
					  sim_fn_rid(fn->sim), PCI_COMMAND, 2,
					  PCI_COMMAND_MASTER, &st, NULL),
		     0);
	cr_assert_eq(st, FAB_CPL_SC);
	fn->rogue = true;
}

/* Does each blade's RAM at @f's DMA slot hold what the model says? */
static int iso_ram_check(struct iso *m, unsigned f, uint64_t val)
{
	int landed = -1;

	for (unsigned b = 0; b < m->nblades; b++) {
		uint64_t got = 0;

		cr_assert_eq(sim_blade_ram_read(m->bl[b].b, iso_dma_addr(f),
						&got, 8, NULL),
			     0);
		if (got == m->ram[b][f])
			continue;
		if (got == val && landed < 0) {
			landed = (int)b;
			continue;
		}
		iso_fail(m, "%s RAM at %#" PRIx64 " holds %#" PRIx64,
			 sim_blade_name(m->bl[b].b), iso_dma_addr(f), got);
	}
	return landed;
}

static void iso_dma(struct iso *m, unsigned f, bool write)
{
	struct iso_fn *fn = &m->fn[f];
	enum iso_expect e = iso_dma_expect(m, f);
	int owner = fn->blade;
	struct iso_req req = { 0 };
	uint64_t val = 0;
	uint8_t st = 0xff;
	bool delivered;
	int ret, landed;

	if (fn->state == ISO_FREE && !fn->rogue && iso_pick(m, 4) == 0)
		iso_rogue(m, fn);
	if (write) {
		val = ++m->dseq | 0xd0a0000000000000ULL;
		ret = sim_fn_dma_write(fn->sim, iso_dma_addr(f), &val, 8, NULL);
	} else {
		ret = sim_fn_dma_read(fn->sim, iso_dma_addr(f), &val, 8, &st,
				      NULL);
	}
	iso_drain(m, &req);
	if (ret < 0) {
		/* not sent: no Bus Master Enable, or in reset */
		m->st.dma_not_sent++;
		if (e == ISO_MUST)
			iso_fail(m, "%#x, enumerated by its owner, cannot DMA",
				 fn->fid);
		if (req.violations)
			iso_fail(m, "%#x sent nothing, yet a violation",
				 fn->fid);
		if (write)
			iso_ram_check(m, f, val);
		return;
	}
	m->st.requests++;
	if (write) {
		m->st.dma_wr++;
		landed = iso_ram_check(m, f, val);
		delivered = landed >= 0;
		if (delivered && landed != owner)
			iso_fail(m, "DMA of %#x reached %s, owner %d", fn->fid,
				 sim_blade_name(m->bl[landed].b), owner);
		if (delivered)
			m->ram[landed][f] = val;
	} else {
		m->st.dma_rd++;
		delivered = st == FAB_CPL_SC;
		if (delivered && (owner < 0 || val != m->ram[owner][f]))
			iso_fail(m,
				 "DMA read of %#x got %#" PRIx64 ", owner %d",
				 fn->fid, val, owner);
		if (!delivered && st != FAB_CPL_UR)
			iso_fail(m, "DMA read of %#x completed with %u",
				 fn->fid, st);
	}
	iso_outcome(m, e, delivered, &req, write ? "dma write" : "dma read");
	if (req.violations != 1)
		return;
	iso_count_refusal(m, &req.ev, write);
	if (e == ISO_MUST_NOT &&
	    (req.ev.fid != fn->fid || req.ev.chip != SW_FID_CHIP(fn->fid) ||
	     req.ev.port != SW_FID_PORT(fn->fid)))
		iso_fail(m, "refused DMA of %#x logged as fid %#x port %u",
			 fn->fid, req.ev.fid, req.ev.port);
}

/* ---------------------------------------------------------------------
 * A batch of random requests.
 */

/* A random slot of a function blade @from enumerated, or 0 if none. */
static uint64_t iso_addr_seen_by(struct iso *m, unsigned from)
{
	const struct iso_blade *bl = &m->bl[from];
	unsigned v0 = iso_pick(m, ISO_VPPBS);

	for (unsigned i = 0; i < ISO_VPPBS; i++) {
		const struct iso_view *w = &bl->view[(v0 + i) % ISO_VPPBS];

		for (unsigned k = 0; w->valid && k < 6; k++)
			if (w->size[k])
				return w->addr[k] +
				       iso_pick(m, ISO_SLOTS) *
					       (w->size[k] / ISO_SLOTS);
	}
	return 0;
}

/* A random dword in one of blade @b's vPPB windows. */
static uint64_t iso_addr_in_window(struct iso *m, unsigned b)
{
	const struct iso_blade *bl = &m->bl[b];
	unsigned v = iso_pick(m, ISO_VPPBS), kind = iso_pick(m, 2);
	uint64_t base = bl->win[v][kind][0], limit = bl->win[v][kind][1];

	if (!base || limit < base)
		return 0;
	return base + (iso_rand(m) % ((limit - base + 1) / 4)) * 4;
}

static void iso_request(struct iso *m)
{
	unsigned b = iso_pick(m, m->nblades), r = iso_pick(m, 100);
	bool write = iso_pick(m, 2);
	uint64_t addr = 0;

	if (r < 35)
		addr = iso_addr_seen_by(m, b);
	else if (r < 55)
		addr = iso_addr_seen_by(m, iso_pick(m, m->nblades));
	else if (r < 70)
		addr = iso_addr_in_window(m, b);
	else if (r < 85)
		iso_cfg(m, b, iso_pick(m, ISO_VPPBS),
			iso_pick(m, 8) ? 0 : iso_pick(m, 32),
			iso_pick(m, 8) ? 0 : iso_pick(m, 8));
	else
		iso_dma(m, iso_pick(m, m->nfns), write);
	if (r < 70 && !addr)
		addr = iso_addr_in_window(m, b);
	if (r < 70 && addr)
		iso_mmio(m, b, addr, write);
}

/* After a batch: every function's counter, every port's counters. */
static void iso_sweep(struct iso *m)
{
	for (unsigned f = 0; f < m->nfns; f++) {
		const struct iso_fn *fn = &m->fn[f];
		struct sw_fn_info info;
		uint8_t want;

		if (sim_fn_mem_requests(fn->sim) != fn->mem_req)
			iso_fail(m,
				 "%#x got %" PRIu64 " requests, model %" PRIu64,
				 fn->fid, sim_fn_mem_requests(fn->sim),
				 fn->mem_req);
		/* the model follows the firmware's own account of itself */
		cr_assert_eq(sw_fw_function_find(m->t.fw, fn->fid, &info, NULL),
			     0);
		switch (fn->state) {
		case ISO_ADDING:
		case ISO_ENABLED:
			want = SW_FN_BOUND;
			break;
		case ISO_UNBINDING:
			want = SW_FN_UNBINDING;
			break;
		case ISO_RESETTING:
			want = SW_FN_RESETTING;
			break;
		case ISO_FAILED:
			want = SW_FN_FAILED;
			break;
		case ISO_FABRIC:
			want = SW_FN_FABRIC;
			break;
		default:
			want = SW_FN_FREE;
			break;
		}
		if (info.state != want ||
		    (fn->blade >= 0 &&
		     (info.partition != (int)m->bl[fn->blade].part ||
		      info.vppb != fn->vppb)))
			iso_fail(m,
				 "%#x: firmware says state %u part %d vppb %d, "
				 "model %s blade %d vppb %d",
				 fn->fid, info.state, info.partition, info.vppb,
				 iso_state_name(fn->state), fn->blade,
				 fn->vppb);
	}
	for (unsigned c = 0; c < m->t.nchips; c++) {
		for (unsigned p = 0; p < m->nports[c]; p++) {
			struct fab_port_status ps;

			cr_assert_eq(
				sw_fw_port_status(m->t.fw, c, p, &ps, NULL), 0);
			if (ps.counters.ur !=
				    m->ctr0[c][p].ur + m->ctr[c][p].ur ||
			    ps.counters.dropped != m->ctr0[c][p].dropped +
							   m->ctr[c][p].dropped)
				iso_fail(m,
					 "chip %u port %u: ur %" PRIu64
					 " dropped %" PRIu64 ", model %" PRIu64
					 "/%" PRIu64,
					 c, p,
					 ps.counters.ur - m->ctr0[c][p].ur,
					 ps.counters.dropped -
						 m->ctr0[c][p].dropped,
					 m->ctr[c][p].ur, m->ctr[c][p].dropped);
		}
	}
}

/* ---------------------------------------------------------------------
 * Churn: binds, unbinds in every mode, moves, and the host's part.
 */

static int iso_free_vppb(struct iso *m, unsigned b)
{
	const struct iso_blade *bl = &m->bl[b];
	unsigned v0 = iso_pick(m, ISO_VPPBS);

	for (unsigned i = 0; i < ISO_VPPBS; i++) {
		unsigned v = (v0 + i) % ISO_VPPBS;

		if (bl->own[v] < 0 && !bl->link_off[v])
			return (int)v;
	}
	return -1;
}

/* A random function in one of @mask's states (1 << state), or -1. */
static int iso_fn_in(struct iso *m, unsigned mask)
{
	unsigned f0 = iso_pick(m, m->nfns);

	for (unsigned i = 0; i < m->nfns; i++) {
		unsigned f = (f0 + i) % m->nfns;

		if (mask & (1u << m->fn[f].state))
			return (int)f;
	}
	return -1;
}

static bool iso_bind(struct iso *m, unsigned f, unsigned b)
{
	struct iso_fn *fn = &m->fn[f];
	struct iso_blade *bl = &m->bl[b];
	int v = iso_free_vppb(m, b);
	struct fm_err err = { 0 };

	if (v < 0)
		return false;
	iso_sync(m);
	/* the model records what it asks for before the events come */
	fn->state = ISO_ADDING;
	fn->blade = (int)b;
	fn->vppb = v;
	bl->own[v] = (int)f;
	bl->last[v] = (int)f;
	m->want_bind = (int)f;
	if (sw_fw_bind(m->t.fw, fn->fid, bl->part, v, NULL, &err) < 0)
		iso_fail(m, "bind of free %#x to %s vppb %d: %s", fn->fid,
			 sim_blade_name(bl->b), v, err.msg);
	iso_sync(m);
	if (m->want_bind >= 0)
		iso_fail(m, "bind of %#x logged no event", fn->fid);
	m->want_bind = -1;
	m->st.binds++;
	return true;
}

/* A bind the model says must be refused changes nothing. */
static void iso_bind_refused(struct iso *m)
{
	int f = iso_fn_in(m, 1u << ISO_ADDING | 1u << ISO_ENABLED |
				     1u << ISO_UNBINDING | 1u << ISO_RESETTING);
	unsigned b = iso_pick(m, m->nblades);
	int v = iso_free_vppb(m, b);
	struct fm_err err = { 0 };
	int ret, want;

	if (f < 0 || v < 0)
		return;
	want = m->fn[f].state == ISO_ADDING || m->fn[f].state == ISO_ENABLED
		       ? -FM_EEXIST
		       : -FM_EBUSY;
	ret = sw_fw_bind(m->t.fw, m->fn[f].fid, m->bl[b].part, v, NULL, &err);
	iso_sync(m);
	if (ret != want)
		iso_fail(m, "bind of %#x in state %s returned %d", m->fn[f].fid,
			 iso_state_name(m->fn[f].state), ret);
	m->st.binds_refused++;
}

static void iso_unbind(struct iso *m, unsigned f)
{
	static const uint8_t modes[] = {
		SW_UNBIND_MANAGED,	  SW_UNBIND_MANAGED,
		SW_UNBIND_SURPRISE,	  SW_UNBIND_WAIT_LINK_DOWN,
		SW_UNBIND_WAIT_LINK_DOWN,
	};
	struct iso_fn *fn = &m->fn[f];
	struct fm_err err = { 0 };

	fn->mode = modes[iso_pick(m, FM_ARRAY_SIZE(modes))];
	fn->host_acts =
		fn->mode == SW_UNBIND_WAIT_LINK_DOWN && iso_pick(m, 3) != 0;
	/* a quarter of the unbinds are moves to another blade */
	fn->move_to = iso_pick(m, 4) ? -1 : (int)iso_pick(m, m->nblades);
	m->want_unbind = (int)f;
	if (sw_fw_unbind(m->t.fw, fn->fid, (enum sw_unbind_mode)fn->mode,
			 &err) < 0)
		iso_fail(m, "unbind of bound %#x: %s", fn->fid, err.msg);
	iso_sync(m);
	if (m->want_unbind >= 0)
		iso_fail(m, "unbind of %#x logged no start", fn->fid);
	m->want_unbind = -1;
	m->st.unbinds[fn->mode]++;
}

static void iso_unbind_refused(struct iso *m)
{
	int f = iso_fn_in(m, 1u << ISO_FREE | 1u << ISO_UNBINDING |
				     1u << ISO_RESETTING);
	int ret;

	if (f < 0)
		return;
	ret = sw_fw_unbind(m->t.fw, m->fn[f].fid, SW_UNBIND_SURPRISE, NULL);
	iso_sync(m);
	if (ret != (m->fn[f].state == ISO_UNBINDING ? -FM_EBUSY : -FM_ESTATE))
		iso_fail(m, "unbind of %#x in state %s returned %d",
			 m->fn[f].fid, iso_state_name(m->fn[f].state), ret);
	m->st.unbinds_refused++;
}

static void iso_lnkctl(struct iso *m, unsigned b, unsigned v, bool disable)
{
	struct iso_blade *bl = &m->bl[b];
	uint16_t reg = (uint16_t)(bl->exp[v] + PCI_EXP_LNKCTL);
	uint32_t ctl = fwt_cfg_read(bl->b, bl->vppb_rid[v], reg, 2);

	ctl = disable ? ctl | PCI_EXP_LNKCTL_DISABLE
		      : ctl & ~(uint32_t)PCI_EXP_LNKCTL_DISABLE;
	fwt_cfg_write(bl->b, bl->vppb_rid[v], reg, 2, ctl);
	bl->link_off[v] = disable;
	iso_sync(m);
}

/*
 * The hosts' part: a host asked to let go (wait mode) takes its link down
 * some time later; a host whose slot is empty again enables its link.
 */
static void iso_hosts_act(struct iso *m)
{
	/* first the links taken down at an earlier step */
	for (unsigned b = 0; b < m->nblades; b++)
		for (unsigned v = 0; v < ISO_VPPBS; v++)
			if (m->bl[b].link_off[v] && m->bl[b].own[v] < 0)
				iso_lnkctl(m, b, v, false);
	for (unsigned f = 0; f < m->nfns; f++) {
		struct iso_fn *fn = &m->fn[f];

		if (fn->state == ISO_UNBINDING &&
		    fn->mode == SW_UNBIND_WAIT_LINK_DOWN && fn->host_acts &&
		    iso_pick(m, 8) == 0) {
			m->st.link_downs++;
			iso_lnkctl(m, (unsigned)fn->blade, (unsigned)fn->vppb,
				   true);
		}
	}
}

/* Functions moving to another blade go there once reset. */
static void iso_moves(struct iso *m)
{
	for (unsigned f = 0; f < m->nfns; f++) {
		struct iso_fn *fn = &m->fn[f];
		int to = fn->move_to;

		if (fn->state != ISO_FREE || to < 0)
			continue;
		fn->move_to = -1;
		if (iso_bind(m, f, (unsigned)to))
			m->st.moves++;
	}
}

static void iso_churn(struct iso *m)
{
	unsigned r = iso_pick(m, 100);
	int f;

	iso_hosts_act(m);
	iso_moves(m);
	if (r < 45) {
		f = iso_fn_in(m, 1u << ISO_FREE);
		if (f < 0 || !iso_bind(m, (unsigned)f, iso_pick(m, m->nblades)))
			r = 50; /* nothing to bind or nowhere: unbind instead */
	}
	if (r >= 45 && r < 85) {
		f = iso_fn_in(m, 1u << ISO_ADDING | 1u << ISO_ENABLED);
		if (f >= 0)
			iso_unbind(m, (unsigned)f);
	} else if (r >= 85 && r < 90) {
		iso_bind_refused(m);
	} else if (r >= 90 && r < 95) {
		iso_unbind_refused(m);
	}
}

/* ---------------------------------------------------------------------
 * The run.
 */

static void iso_step(struct iso *m)
{
	unsigned n = ISO_BATCH / 2 + iso_pick(m, ISO_BATCH);

	m->st.steps++;
	iso_churn(m);
	/* requests right after the churn: moves are in progress now */
	for (unsigned i = 0; i < n / 2; i++)
		iso_request(m);
	/* 1..300 ms: hot-add (~110 ms), FLR (100 ms) complete or not */
	sim_clock_run_for(m->t.clk,
			  (1 + iso_pick(m, 300)) * (uint64_t)FAB_NS_PER_MS);
	iso_sync(m);
	for (unsigned i = n / 2; i < n; i++)
		iso_request(m);
	iso_sweep(m);
}

/* A number from the environment, or @def. */
static uint64_t iso_env(const char *name, uint64_t def)
{
	const char *s = getenv(name);

	return s && *s ? strtoull(s, NULL, 0) : def;
}

static void iso_report(const struct iso *m)
{
	const struct iso_stats *s = &m->st;

	fprintf(stderr,
		"isolation random: seed %#" PRIx64 " (MRFABRIC_ISO_SEED)\n"
		"  requests checked %" PRIu64 " (mmio rd %" PRIu64
		" wr %" PRIu64 ", cfg rd %" PRIu64 ", dma rd %" PRIu64
		" wr %" PRIu64 "; dma not sent %" PRIu64 ")\n"
		"  delivered %" PRIu64 " (across the fabric link %" PRIu64
		"), refused %" PRIu64 " (violation events %" PRIu64
		"), during unbind %" PRIu64 ", to stale host views %" PRIu64
		"\n"
		"  steps %" PRIu64 ", binds %" PRIu64 " (refused %" PRIu64
		"), unbinds managed %" PRIu64 " surprise %" PRIu64
		" wait %" PRIu64 " (refused %" PRIu64 ")\n"
		"  managed fallbacks %" PRIu64 ", host link downs %" PRIu64
		", wait timeouts %" PRIu64 ", moves %" PRIu64 ", FLRs %" PRIu64
		", virtual time %.1f s\n"
		"  model violations: %" PRIu64 "\n",
		m->seed, s->requests, s->mmio_rd, s->mmio_wr, s->cfg_rd,
		s->dma_rd, s->dma_wr, s->dma_not_sent, s->delivered, s->remote,
		s->refused, s->violation_events, s->during_unbind, s->stale,
		s->steps, s->binds, s->binds_refused,
		s->unbinds[SW_UNBIND_MANAGED], s->unbinds[SW_UNBIND_SURPRISE],
		s->unbinds[SW_UNBIND_WAIT_LINK_DOWN], s->unbinds_refused,
		s->fallbacks, s->link_downs, s->unbind_failed, s->moves,
		s->flrs, (double)sim_clock_now(m->t.clk) / 1e9, m->violations);
}

TestSuite(sw_isolation_random);

Test(sw_isolation_random, requests_during_churn_match_the_model, .timeout = 600)
{
	struct iso *m = calloc(1, sizeof(*m));
	uint64_t want = iso_env("MRFABRIC_ISO_REQUESTS", ISO_REQUESTS);

	cr_assert_not_null(m);
	iso_setup(m, iso_env("MRFABRIC_ISO_SEED", ISO_SEED));
	while (m->st.requests < want)
		iso_step(m);
	/* let every unbind, FLR and move finish, then look once more */
	sim_clock_run_for(m->t.clk, 2 * ISO_MANAGED_TIMEOUT_NS);
	iso_sync(m);
	iso_moves(m);
	fwt_idle(&m->t);
	iso_sync(m);
	for (unsigned i = 0; i < 4 * ISO_BATCH; i++)
		iso_request(m);
	iso_sweep(m);
	iso_report(m);
	cr_assert_geq(m->st.requests, want);
	/* every mode ran, and requests met every model state */
	cr_assert_gt(m->st.unbinds[SW_UNBIND_MANAGED], 0);
	cr_assert_gt(m->st.unbinds[SW_UNBIND_SURPRISE], 0);
	cr_assert_gt(m->st.unbinds[SW_UNBIND_WAIT_LINK_DOWN], 0);
	cr_assert_gt(m->st.fallbacks, 0);
	cr_assert_gt(m->st.unbind_failed, 0);
	cr_assert_gt(m->st.moves, 0);
	cr_assert_gt(m->st.during_unbind, 0);
	cr_assert_gt(m->st.stale, 0);
	cr_assert_gt(m->st.remote, 0);
	cr_assert_gt(m->st.delivered, 0);
	cr_assert_gt(m->st.refused, 0);
	cr_assert_gt(m->st.dma_wr, 0);
	cr_assert_eq(m->violations, 0,
		     "%" PRIu64 " violations of the model (seed %#" PRIx64 ")",
		     m->violations, m->seed);
	iso_teardown(m);
	free(m);
}

/*
 * The checker is not blind: with one ownership removed from the model,
 * the owner's request to that function counts as a violation.
 */
Test(sw_isolation_random, checker_flags_a_delivery_the_model_forbids)
{
	struct iso *m = calloc(1, sizeof(*m));
	int f;
	uint64_t addr;

	cr_assert_not_null(m);
	iso_setup(m, ISO_SEED);
	f = iso_fn_in(m, 1u << ISO_FREE);
	cr_assert_geq(f, 0);
	cr_assert(iso_bind(m, (unsigned)f, 0));
	fwt_idle(&m->t);
	iso_sync(m);
	cr_assert_eq(m->fn[f].state, ISO_ENABLED);
	addr = iso_addr_seen_by(m, 0);
	cr_assert_neq(addr, 0, "blade 0 did not enumerate %#x", m->fn[f].fid);
	iso_mmio(m, 0, addr, true);
	cr_assert_eq(m->violations, 0);
	/* the model forgets the binding; the firmware does not */
	m->quiet = true;
	m->bl[0].own[m->fn[f].vppb] = -1;
	iso_mmio(m, 0, addr, true);
	cr_assert_eq(m->violations, 1);
	iso_teardown(m);
	free(m);
}
