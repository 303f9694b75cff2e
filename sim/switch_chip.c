/* SPDX-License-Identifier: MIT */
/*
 * switch_chip.c - the chip HAL (fabric/chip.h) over the simulated switch
 * silicon: what switch firmware may do to it.  Port registers and tables
 * go to switch.c and switch_bridge.c; time is the simulator's virtual
 * clock; the configuration flash is kept in memory, or in a file when the
 * switch description names one, so that it survives a process restart.
 */
#include "sim/switch_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fabric/cfg.h"

/* Requester ID of config requests the switch management CPU sends. */
#define SW_CHIP_REQUESTER FAB_RID(0, 0, 0)

static struct sim_switch *sw_chip_sw(struct fab_chip *chip)
{
	return sim_switch_from_chip(chip);
}

static int sw_chip_get_info(struct fab_chip *chip, struct fab_chip_info *info)
{
	struct sim_switch *sw = sw_chip_sw(chip);

	if (!info)
		return -FM_EINVAL;
	memset(info, 0, sizeof(*info));
	memcpy(info->name, sw->name, sizeof(info->name));
	info->vendor = sw->vendor;
	info->device = sw->device;
	info->nports = sw->nports;
	info->flash_size = sw->flash_size;
	return 0;
}

static int sw_chip_port_info(struct fab_chip *chip, unsigned port,
			     struct fab_port_info *info, struct fm_err *err)
{
	struct sim_switch *sw = sw_chip_sw(chip);
	const struct sim_sw_port *p;
	int ret;

	ret = sim_switch_check_port(sw, port, err);
	if (ret < 0)
		return ret;
	p = &sw->ports[port];
	memset(info, 0, sizeof(*info));
	info->kind = p->kind;
	info->max_width = p->width;
	info->max_speed = p->speed;
	info->peer_chip = p->kind == FAB_PORT_FABRIC ? p->peer_chip : -1;
	info->peer_port = p->kind == FAB_PORT_FABRIC ? p->peer_port : 0;
	info->sec_bus = p->sec_bus;
	info->sub_bus = p->sub_bus;
	memcpy(info->label, p->label, sizeof(info->label));
	return 0;
}

static int sw_chip_port_status(struct fab_chip *chip, unsigned port,
			       struct fab_port_status *st, struct fm_err *err)
{
	struct sim_switch *sw = sw_chip_sw(chip);
	const struct sim_sw_port *p;
	const struct sim_link *link;
	int ret;

	ret = sim_switch_check_port(sw, port, err);
	if (ret < 0)
		return ret;
	p = &sw->ports[port];
	link = p->port.link;
	memset(st, 0, sizeof(*st));
	st->up = p->up;
	st->training = sim_link_is_training(link);
	/* an uncabled port is not disabled: nothing stops it training */
	st->enabled = link ? sim_link_is_enabled(link) : true;
	if (p->up) {
		st->width = sim_link_width(link);
		st->speed = sim_link_speed(link);
	}
	st->counters = p->ctr;
	return 0;
}

static int sw_chip_port_control(struct fab_chip *chip, unsigned port,
				enum fab_port_ctl ctl, struct fm_err *err)
{
	return sim_switch_port_control(sw_chip_sw(chip), port, ctl, err);
}

static int sw_chip_port_cfg_read(struct fab_chip *chip, unsigned port,
				 uint16_t reg, unsigned len, uint32_t *val,
				 struct fm_err *err)
{
	struct sim_switch *sw = sw_chip_sw(chip);
	int ret;

	ret = sim_switch_check_port(sw, port, err);
	if (ret < 0)
		return ret;
	ret = fab_cfg_check_access(reg, len, FAB_PCI_CFG_SPACE_EXP_SIZE, err);
	if (ret < 0)
		return ret;
	*val = sim_sw_bridge_read(&sw->ports[port], reg, len);
	return 0;
}

static int sw_chip_port_cfg_write(struct fab_chip *chip, unsigned port,
				  uint16_t reg, unsigned len, uint32_t val,
				  struct fm_err *err)
{
	struct sim_switch *sw = sw_chip_sw(chip);
	int ret;

	ret = sim_switch_check_port(sw, port, err);
	if (ret < 0)
		return ret;
	ret = fab_cfg_check_access(reg, len, FAB_PCI_CFG_SPACE_EXP_SIZE, err);
	if (ret < 0)
		return ret;
	return sim_sw_bridge_write(&sw->ports[port], reg, len, val, err);
}

/*
 * A type-0 config request out of downstream @port.  The management CPU
 * originates it, so it counts as tlp_out of the port when the link carries
 * it.  *status and *val as fabric/chip.h says.
 */
static int sw_chip_cfg_tx(struct sim_switch *sw, unsigned port,
			  struct fab_tlp *req, uint32_t *val, uint8_t *status,
			  struct fm_err *err)
{
	struct sim_sw_port *p = &sw->ports[port];
	struct fab_tlp cpl;
	int rx;

	if (p->kind != FAB_PORT_DOWNSTREAM)
		return fm_err_set(err, FM_EINVAL,
				  "switch %s port %u: config requests go out "
				  "of downstream ports only",
				  sw->name, port);
	if (p->up)
		p->ctr.tlp_out++;
	rx = sim_port_tx(&p->port, req, &cpl);
	if (rx != SIM_RX_COMPLETED)
		fab_tlp_complete(&cpl, req, 0, FAB_CPL_UR);
	if (status)
		*status = cpl.status;
	if (val)
		*val = cpl.status == FAB_CPL_SC
			       ? fab_tlp_cfg_value(&cpl)
			       : (uint32_t)(0xffffffffull >>
					    (32 - 8 * req->len));
	return 0;
}

static int sw_chip_cfg_read(struct fab_chip *chip, unsigned port, uint16_t rid,
			    uint16_t reg, unsigned len, uint32_t *val,
			    uint8_t *status, struct fm_err *err)
{
	struct sim_switch *sw = sw_chip_sw(chip);
	struct fab_tlp req;
	int ret;

	ret = sim_switch_check_port(sw, port, err);
	if (ret < 0)
		return ret;
	ret = fab_tlp_cfg_read(&req, false, SW_CHIP_REQUESTER, rid, reg, len,
			       err);
	if (ret < 0)
		return ret;
	return sw_chip_cfg_tx(sw, port, &req, val, status, err);
}

static int sw_chip_cfg_write(struct fab_chip *chip, unsigned port, uint16_t rid,
			     uint16_t reg, unsigned len, uint32_t val,
			     uint8_t *status, struct fm_err *err)
{
	struct sim_switch *sw = sw_chip_sw(chip);
	struct fab_tlp req;
	int ret;

	ret = sim_switch_check_port(sw, port, err);
	if (ret < 0)
		return ret;
	ret = fab_tlp_cfg_write(&req, false, SW_CHIP_REQUESTER, rid, reg, len,
				val, err);
	if (ret < 0)
		return ret;
	return sw_chip_cfg_tx(sw, port, &req, NULL, status, err);
}

static int sw_chip_route_type0(struct fab_chip *chip, unsigned port,
			       const struct fab_cfg_route *route,
			       struct fm_err *err)
{
	return sim_switch_route_type0(sw_chip_sw(chip), port, route, err);
}

static int sw_chip_route_bus(struct fab_chip *chip, unsigned port, uint8_t bus,
			     const struct fab_cfg_route *route,
			     struct fm_err *err)
{
	return sim_switch_route_bus(sw_chip_sw(chip), port, bus, route, err);
}

static int sw_chip_route_cfg_rid(struct fab_chip *chip, unsigned port,
				 uint16_t rid,
				 const struct fab_cfg_route *route,
				 struct fm_err *err)
{
	return sim_switch_route_cfg_rid(sw_chip_sw(chip), port, rid, route,
					err);
}

static int sw_chip_window_add(struct fab_chip *chip, unsigned port,
			      const struct fab_mem_window *w,
			      struct fm_err *err)
{
	return sim_switch_window_add(sw_chip_sw(chip), port, w, err);
}

static int sw_chip_window_del(struct fab_chip *chip, unsigned port,
			      uint64_t base, struct fm_err *err)
{
	return sim_switch_window_del(sw_chip_sw(chip), port, base, err);
}

static int sw_chip_route_rid(struct fab_chip *chip, unsigned port,
			     uint16_t requester,
			     const struct fab_rid_route *route,
			     struct fm_err *err)
{
	return sim_switch_route_rid(sw_chip_sw(chip), port, requester, route,
				    err);
}

static void sw_chip_set_trap_handler(struct fab_chip *chip,
				     fab_chip_trap_fn *fn, void *ctx)
{
	struct sim_switch *sw = sw_chip_sw(chip);

	sw->trap_fn = fn;
	sw->trap_ctx = fn ? ctx : NULL;
}

static void sw_chip_set_event_handler(struct fab_chip *chip,
				      fab_chip_event_fn *fn, void *ctx)
{
	struct sim_switch *sw = sw_chip_sw(chip);

	sw->event_fn = fn;
	sw->event_ctx = fn ? ctx : NULL;
}

/*
 * Firmware-generated posted TLP out of @port.  Returns -FM_EINVAL for a
 * non-posted or malformed TLP, -FM_ESTATE when the link is down (the TLP
 * would be lost, and firmware should know).
 */
static int sw_chip_send(struct fab_chip *chip, unsigned port,
			const struct fab_tlp *tlp, struct fm_err *err)
{
	struct sim_switch *sw = sw_chip_sw(chip);
	struct sim_sw_port *p;
	struct fab_tlp cpl;
	int ret;

	ret = sim_switch_check_port(sw, port, err);
	if (ret < 0)
		return ret;
	if (!tlp || !fab_tlp_is_posted(tlp))
		return fm_err_set(err, FM_EINVAL,
				  "switch %s port %u: send takes posted TLPs "
				  "only, not %s",
				  sw->name, port,
				  tlp ? fab_tlp_type_name(tlp->type) : "none");
	if (tlp->type == FAB_TLP_MEM_WR &&
	    (tlp->len == 0 || tlp->len > FAB_TLP_MAX_DATA))
		return fm_err_set(err, FM_EINVAL,
				  "switch %s port %u: memory write of %u bytes",
				  sw->name, port, tlp->len);
	p = &sw->ports[port];
	if (!p->up)
		return fm_err_set(err, FM_ESTATE,
				  "switch %s port %u: link down, %s not sent",
				  sw->name, port, fab_tlp_type_name(tlp->type));
	p->ctr.tlp_out++;
	sim_port_tx(&p->port, tlp, &cpl);
	return 0;
}

static uint64_t sw_chip_now(struct fab_chip *chip)
{
	return sim_clock_now(sw_chip_sw(chip)->clk);
}

static uint64_t sw_chip_timer_start(struct fab_chip *chip, uint64_t delay_ns,
				    fab_chip_timer_fn *fn, void *arg)
{
	return sim_clock_schedule(sw_chip_sw(chip)->clk, delay_ns, fn, arg);
}

static bool sw_chip_timer_cancel(struct fab_chip *chip, uint64_t id)
{
	return sim_clock_cancel(sw_chip_sw(chip)->clk, id);
}

/* ---------------------------------------------------------------------
 * Flash.  Never-written flash reads as zero.  With a file, the file is
 * opened (created and sized if needed) on first use and kept open; every
 * write is on disk (fsync) before flash_write returns.
 */

static int sw_flash_check(const struct sim_switch *sw, uint64_t off,
			  const void *buf, size_t len, struct fm_err *err)
{
	if (len && !buf)
		return fm_err_set(err, FM_EINVAL, "switch %s: no flash buffer",
				  sw->name);
	if (off > sw->flash_size || len > sw->flash_size - off)
		return fm_err_set(err, FM_ERANGE,
				  "switch %s: flash access %#llx+%zu past the "
				  "end (%llu bytes)",
				  sw->name, (unsigned long long)off, len,
				  (unsigned long long)sw->flash_size);
	return 0;
}

static int sw_flash_open(struct sim_switch *sw, struct fm_err *err)
{
	struct stat st;
	int fd = -1;
	int ret = 0;

	if (!sw->flash_path) {
		if (sw->flash_mem)
			return 0;
		sw->flash_mem = calloc(1, sw->flash_size ? sw->flash_size : 1);
		if (!sw->flash_mem)
			return fm_err_set(err, FM_ENOMEM,
					  "switch %s: out of memory for %llu "
					  "bytes of flash",
					  sw->name,
					  (unsigned long long)sw->flash_size);
		return 0;
	}
	if (sw->flash_fd >= 0)
		return 0;
	fd = open(sw->flash_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		ret = fm_err_sys(err, FM_EIO, errno,
				 "switch %s: cannot open flash %s", sw->name,
				 sw->flash_path);
		goto out;
	}
	if (fstat(fd, &st) < 0) {
		ret = fm_err_sys(err, FM_EIO, errno,
				 "switch %s: cannot stat flash %s", sw->name,
				 sw->flash_path);
		goto out;
	}
	if ((uint64_t)st.st_size < sw->flash_size &&
	    (ftruncate(fd, (off_t)sw->flash_size) < 0 || fsync(fd) < 0)) {
		ret = fm_err_sys(err, FM_EIO, errno,
				 "switch %s: cannot size flash %s to %llu "
				 "bytes",
				 sw->name, sw->flash_path,
				 (unsigned long long)sw->flash_size);
		goto out;
	}
	sw->flash_fd = fd;
	fd = -1;
out:
	if (fd >= 0)
		close(fd);
	return ret;
}

static int sw_chip_flash_read(struct fab_chip *chip, uint64_t off, void *buf,
			      size_t len, struct fm_err *err)
{
	struct sim_switch *sw = sw_chip_sw(chip);
	uint8_t *p = buf;
	int ret;

	ret = sw_flash_check(sw, off, buf, len, err);
	if (ret < 0 || len == 0)
		return ret;
	ret = sw_flash_open(sw, err);
	if (ret < 0)
		return ret;
	if (!sw->flash_path) {
		memcpy(buf, sw->flash_mem + off, len);
		return 0;
	}
	while (len > 0) {
		ssize_t n = pread(sw->flash_fd, p, len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return fm_err_sys(err, FM_EIO, errno,
					  "switch %s: flash read at %#llx",
					  sw->name, (unsigned long long)off);
		if (n == 0) {
			/* file shortened behind our back: unwritten flash */
			memset(p, 0, len);
			break;
		}
		p += n;
		off += (uint64_t)n;
		len -= (size_t)n;
	}
	return 0;
}

static int sw_chip_flash_write(struct fab_chip *chip, uint64_t off,
			       const void *buf, size_t len, struct fm_err *err)
{
	struct sim_switch *sw = sw_chip_sw(chip);
	const uint8_t *p = buf;
	uint64_t at = off;
	size_t left = len;
	int ret;

	ret = sw_flash_check(sw, off, buf, len, err);
	if (ret < 0 || len == 0)
		return ret;
	ret = sw_flash_open(sw, err);
	if (ret < 0)
		return ret;
	if (!sw->flash_path) {
		memcpy(sw->flash_mem + off, buf, len);
		return 0;
	}
	while (left > 0) {
		ssize_t n = pwrite(sw->flash_fd, p, left, (off_t)at);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return fm_err_sys(err, FM_EIO, errno,
					  "switch %s: flash write at %#llx",
					  sw->name, (unsigned long long)at);
		p += n;
		at += (uint64_t)n;
		left -= (size_t)n;
	}
	if (fsync(sw->flash_fd) < 0)
		return fm_err_sys(err, FM_EIO, errno,
				  "switch %s: flash sync of %s", sw->name,
				  sw->flash_path);
	return 0;
}

void sim_sw_flash_fini(struct sim_switch *sw)
{
	if (sw->flash_fd >= 0)
		close(sw->flash_fd);
	sw->flash_fd = -1;
	free(sw->flash_mem);
	sw->flash_mem = NULL;
}

/* The ops table: one entry per operation of struct fab_chip_ops. */
const struct fab_chip_ops sim_switch_chip_ops = {
	.get_info = sw_chip_get_info,
	.port_info = sw_chip_port_info,
	.port_status = sw_chip_port_status,
	.port_control = sw_chip_port_control,
	.port_cfg_read = sw_chip_port_cfg_read,
	.port_cfg_write = sw_chip_port_cfg_write,
	.cfg_read = sw_chip_cfg_read,
	.cfg_write = sw_chip_cfg_write,
	.cfg_route_type0 = sw_chip_route_type0,
	.cfg_route_bus = sw_chip_route_bus,
	.cfg_route_rid = sw_chip_route_cfg_rid,
	.mem_window_add = sw_chip_window_add,
	.mem_window_del = sw_chip_window_del,
	.rid_route = sw_chip_route_rid,
	.set_trap_handler = sw_chip_set_trap_handler,
	.set_event_handler = sw_chip_set_event_handler,
	.send = sw_chip_send,
	.now = sw_chip_now,
	.timer_start = sw_chip_timer_start,
	.timer_cancel = sw_chip_timer_cancel,
	.flash_read = sw_chip_flash_read,
	.flash_write = sw_chip_flash_write,
};
