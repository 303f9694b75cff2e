/* SPDX-License-Identifier: MIT */
/*
 * switch_int.h - private to the switch silicon model: the switch and port
 * objects shared by switch.c (ports, forwarding engine, counters, events),
 * switch_bridge.c (each port's physical bridge config space) and
 * switch_chip.c (the chip HAL over them).  Nothing outside those files
 * includes this.
 *
 * Threading: none.  Everything runs on the simulator's one thread, and the
 * firmware callbacks (trap, event) run synchronously inside the call that
 * raised them; they may call back into the switch.
 */
#ifndef MRFABRIC_SIM_SWITCH_INT_H
#define MRFABRIC_SIM_SWITCH_INT_H

#include "sim/sim_int.h"

/* Port numbers are uint8_t in the HAL tables. */
#define SIM_SW_MAX_PORTS 256
/* Memory windows per ingress port: room for 256 VFs x 256 functions. */
#define SIM_SW_MAX_WINDOWS 65536
/* Nested rx calls (fabric hops) of one switch before a loop is assumed. */
#define SIM_SW_MAX_DEPTH 16

/*
 * Memory windows of one ingress port (switch_win.c): sorted by base in
 * parallel arrays, never overlapping, with a bucket index over their span
 * so that a lookup costs O(1) when windows are spread evenly and
 * O(log n) at worst.  The entries are small (16 bytes plus an egress
 * byte) so that 32 ports x 512 windows (16,384 VFs) stay in cache.
 */
struct sim_sw_win {
	uint64_t last;	/* last byte: base + size - 1 */
	uint64_t delta; /* target_base - base, modulo 2^64 */
};

struct sim_sw_win_table {
	uint64_t *base;		/* cap entries, ascending */
	struct sim_sw_win *win; /* cap entries */
	uint8_t *egress;	/* cap entries: egress port of each window */
	uint32_t *bucket;	/* 2 * cap + 1 entries, see switch_win.c */
	uint64_t lo;		/* lowest base */
	uint64_t hi;		/* last byte of the highest window */
	unsigned shift;		/* bucket k starts at lo + (k << shift) */
	unsigned n;
	unsigned cap; /* a power of two */
	bool dirty;   /* bucket index stale: rebuilt on lookup */
};

/*
 * Insert a validated window (size > 0, no wrap).  Returns 0, -FM_EEXIST
 * with *conflict the index of an overlapping window, -FM_ENOSPC past
 * SIM_SW_MAX_WINDOWS, or -FM_ENOMEM.  Nothing changes on error.
 */
int sim_sw_win_insert(struct sim_sw_win_table *t, uint64_t base, uint64_t size,
		      uint64_t target, uint8_t egress, long *conflict);
/* Remove the window starting at @base; -FM_ENOENT when there is none. */
int sim_sw_win_remove(struct sim_sw_win_table *t, uint64_t base);
/* Free everything; the table is empty afterwards. */
void sim_sw_win_fini(struct sim_sw_win_table *t);
/* Rebuild the bucket index (no allocation). */
void sim_sw_win_reindex(struct sim_sw_win_table *t);

/*
 * The window containing @addr's first byte, or -1.  Inline: it is the
 * hot path of every memory request from a host.  The usual case reads
 * two cache lines: the bucket, then the window entry (base[] is read
 * only when the bucket holds several windows).
 */
static inline long sim_sw_win_lookup(struct sim_sw_win_table *t, uint64_t addr)
{
	uint64_t rel;
	unsigned i, j, k;

	if (t->n == 0)
		return -1;
	if (t->dirty)
		sim_sw_win_reindex(t);
	rel = addr - t->lo;
	if (addr < t->lo || rel > t->hi - t->lo)
		return -1;
	k = (unsigned)(rel >> t->shift);
	i = t->bucket[k];
	/* base[i] <= addr: inside window i unless past its last byte */
	if (addr <= t->win[i].last)
		return i;
	/* else the last base <= addr lies in (i, j] */
	j = t->bucket[k + 1];
	while (i < j) {
		unsigned mid = i + (j - i + 1) / 2;

		if (t->base[mid] <= addr)
			i = mid;
		else
			j = mid - 1;
	}
	return addr <= t->win[i].last ? (long)i : -1;
}

struct sim_switch;

/*
 * A port's config and RID route tables (5.5 KiB), allocated apart from
 * struct sim_sw_port so that the ports array stays small: the hot fields
 * of every port then share a few pages and cache lines.
 */
struct sim_sw_routes {
	struct fab_rid_route *rid[256];	    /* by requester bus; devfn tables */
	struct fab_cfg_route cfg_bus[256];  /* by target bus */
	struct fab_cfg_route *cfg_rid[256]; /* by target bus; devfn tables */
};

struct sim_sw_port {
	/* hot: touched by every forwarded TLP */
	struct sim_port port; /* the link end; port.owner is the switch */
	struct sim_switch *sw;
	uint8_t kind; /* enum fab_port_kind */
	bool up;      /* DL_Active, as the link last reported it */
	struct fab_port_counters ctr;
	struct sim_sw_win_table win;
	struct sim_sw_routes *rt;

	/* cold */
	unsigned index;
	uint8_t width;
	uint8_t speed;
	bool retrain; /* software asked for retraining: LBMS on link up */
	uint8_t sec_bus;
	uint8_t sub_bus;
	uint8_t peer_port;
	int peer_chip;
	char label[32];
	struct fab_cfg_route cfg_type0;
	uint8_t *cfg_image; /* power-on image of the bridge, 4096 bytes */
	struct sim_cfg cfg;
};

struct sim_switch {
	struct fab_chip chip; /* chip.ops = sim_switch_chip_ops */
	struct sim_clock *clk;
	char name[32];
	uint16_t vendor;
	uint16_t device;
	unsigned nports;
	struct sim_sw_port *ports;
	unsigned depth; /* nested rx calls in progress */

	fab_chip_trap_fn *trap_fn;
	void *trap_ctx;
	fab_chip_event_fn *event_fn;
	void *event_ctx;

	/* physical bridge write masks, one per port kind */
	struct sim_cfg_masks *masks;

	/* configuration flash (switch_chip.c) */
	uint64_t flash_size;
	char *flash_path; /* NULL: kept in flash_mem */
	int flash_fd;	  /* -1 until first use */
	uint8_t *flash_mem;
};

extern const struct fab_chip_ops sim_switch_chip_ops;

/* The switch behind a chip handle given out by sim_switch_chip(). */
struct sim_switch *sim_switch_from_chip(struct fab_chip *chip);

/* Deliver @ev (time and type set by the caller) to the event handler. */
void sim_switch_raise(struct sim_switch *sw, struct fab_chip_event *ev);

/* Returns 0 or -FM_ERANGE when @port is not a port of @sw. */
int sim_switch_check_port(const struct sim_switch *sw, unsigned port,
			  struct fm_err *err);

/* Port control (enum fab_port_ctl); -FM_ESTATE when the port has no link. */
int sim_switch_port_control(struct sim_switch *sw, unsigned port,
			    enum fab_port_ctl ctl, struct fm_err *err);

/*
 * Forwarding table updates: validate everything first, change nothing on
 * error.  Codes as in fabric/chip.h.
 */
int sim_switch_route_type0(struct sim_switch *sw, unsigned port,
			   const struct fab_cfg_route *route,
			   struct fm_err *err);
int sim_switch_route_bus(struct sim_switch *sw, unsigned port, uint8_t bus,
			 const struct fab_cfg_route *route, struct fm_err *err);
int sim_switch_route_cfg_rid(struct sim_switch *sw, unsigned port, uint16_t rid,
			     const struct fab_cfg_route *route,
			     struct fm_err *err);
int sim_switch_window_add(struct sim_switch *sw, unsigned port,
			  const struct fab_mem_window *w, struct fm_err *err);
int sim_switch_window_del(struct sim_switch *sw, unsigned port, uint64_t base,
			  struct fm_err *err);
int sim_switch_route_rid(struct sim_switch *sw, unsigned port,
			 uint16_t requester, const struct fab_rid_route *route,
			 struct fm_err *err);

/*
 * Physical bridges (switch_bridge.c).  sim_sw_bridge_masks_init fills the
 * three per-kind masks (array indexed by enum fab_port_kind);
 * sim_sw_bridge_init builds @p's power-on image from its kind, width,
 * speed and index (returns -FM_ENOMEM); sim_sw_bridge_fini frees it.
 */
void sim_sw_bridge_masks_init(struct sim_cfg_masks *masks);
int sim_sw_bridge_init(struct sim_sw_port *p, struct fm_err *err);
void sim_sw_bridge_fini(struct sim_sw_port *p);
/* The bus registers after sim_switch_set_port_buses(). */
void sim_sw_bridge_set_buses(struct sim_sw_port *p);
/* Bridge read with live link/slot status; @off/@len already checked. */
uint32_t sim_sw_bridge_read(const struct sim_sw_port *p, uint16_t off,
			    unsigned len);
/* Bridge write with side effects; @off/@len already checked. */
int sim_sw_bridge_write(struct sim_sw_port *p, uint16_t off, unsigned len,
			uint32_t val, struct fm_err *err);
/* The link changed state: latch the slot/link status change bits. */
void sim_sw_bridge_link_changed(struct sim_sw_port *p, bool up);

/* Flash (switch_chip.c): close the file or free the memory copy. */
void sim_sw_flash_fini(struct sim_switch *sw);

#endif
