/* SPDX-License-Identifier: MIT */
/*
 * dump.c - config space dumps in the format of `lspci -D -n -xxxx`, so
 * that `lspci -F FILE` (pciutils' dump access method, lib/dump.c) reads
 * them back and decodes them like a live system:
 *
 *   0000:00:01.0 0604: 1022:1483
 *   00: 22 10 83 14 07 04 10 00 00 00 04 06 10 00 81 00
 *   ...
 *   ff0: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
 *   <blank line>
 *
 * A header line is "domain:bus:dev.fn" and a space, then lspci -n's
 * description ("class: vendor:device", " (rev xx)" when nonzero); each
 * data line is the hex offset, a colon and 16 bytes; 4096 bytes per
 * function; a blank line ends the function.
 */
#include "sim/chassis_int.h"

#include <errno.h>
#include <string.h>

#include "fabric/cfg.h"

#define DUMP_SIZE FAB_PCI_CFG_SPACE_EXP_SIZE

/* A 4-byte config reader of one function. */
typedef uint32_t dump_read_fn(const void *ctx, uint16_t off);

static void dump_fill(uint8_t cfg[DUMP_SIZE], dump_read_fn *read,
		      const void *ctx)
{
	unsigned off;

	for (off = 0; off < DUMP_SIZE; off += 4)
		fab_cfg_wr32(cfg, (uint16_t)off, read(ctx, (uint16_t)off));
}

/* Print one function; lines are built by hand, this runs per VF. */
static void dump_write_fn(FILE *out, unsigned domain, uint16_t rid,
			  const uint8_t cfg[DUMP_SIZE])
{
	static const char hex[] = "0123456789abcdef";
	char line[64];
	unsigned off, i;
	uint8_t rev = fab_cfg_rd8(cfg, PCI_REVISION_ID);

	fprintf(out, "%04x:%02x:%02x.%u %04x: %04x:%04x", domain,
		FAB_RID_BUS(rid), FAB_RID_DEV(rid), FAB_RID_FN(rid),
		fab_cfg_rd16(cfg, PCI_CLASS_DEVICE),
		fab_cfg_rd16(cfg, PCI_VENDOR_ID),
		fab_cfg_rd16(cfg, PCI_DEVICE_ID));
	if (rev)
		fprintf(out, " (rev %02x)", rev);
	fputc('\n', out);
	for (off = 0; off < DUMP_SIZE; off += 16) {
		char *p = line;

		if (off >= 0x100)
			*p++ = hex[off >> 8];
		*p++ = hex[(off >> 4) & 0xf];
		*p++ = hex[off & 0xf];
		*p++ = ':';
		for (i = 0; i < 16; i++) {
			*p++ = ' ';
			*p++ = hex[cfg[off + i] >> 4];
			*p++ = hex[cfg[off + i] & 0xf];
		}
		*p++ = '\n';
		fwrite(line, 1, (size_t)(p - line), out);
	}
	fputc('\n', out);
}

static int dump_finish(FILE *out, const char *what, struct fm_err *err)
{
	if (fflush(out) != 0 || ferror(out))
		return fm_err_sys(err, FM_EIO, errno ? errno : EIO,
				  "%s dump: write failed", what);
	return 0;
}

struct dump_blade_ctx {
	struct sim_blade *b;
	uint16_t rid;
};

/* Blade config reads cannot fail for aligned dwords below 4096. */
static uint32_t dump_blade_read(const void *ctx, uint16_t off)
{
	const struct dump_blade_ctx *c = ctx;
	uint32_t v = 0xffffffff;

	sim_blade_cfg_read(c->b, c->rid, off, 4, &v, NULL);
	return v;
}

int sim_blade_dump(struct sim_blade *b, FILE *out, struct fm_err *err)
{
	uint8_t cfg[DUMP_SIZE];
	unsigned i, n = sim_blade_dev_count(b);

	for (i = 0; i < n; i++) {
		struct dump_blade_ctx c = { b, sim_blade_dev(b, i)->rid };

		dump_fill(cfg, dump_blade_read, &c);
		dump_write_fn(out, 0, c.rid, cfg);
	}
	return dump_finish(out, sim_blade_name(b), err);
}

struct dump_port_ctx {
	const struct sim_switch *sw;
	unsigned port;
};

static uint32_t dump_port_read(const void *ctx, uint16_t off)
{
	const struct dump_port_ctx *c = ctx;

	return sim_switch_port_cfg_read(c->sw, c->port, off, 4);
}

static uint32_t dump_fn_read(const void *ctx, uint16_t off)
{
	return sim_fn_cfg_read(ctx, off, 4);
}

/*
 * An endpoint's PF and enabled VFs.  A VF's own Vendor ID and Device ID
 * read 0xffff (SR-IOV: r6.0 9.3.4.1.1, 9.3.4.1.2), but Linux shows a VF
 * with the PF's Vendor ID and the VF Device ID from the PF's SR-IOV
 * capability (it fills both from sysfs), and so does this dump, so that
 * lspci names VFs as people know them.  Nothing else is changed.
 */
static void dump_ep(FILE *out, unsigned domain, struct sim_ep *ep)
{
	uint8_t pf[DUMP_SIZE], vf[DUMP_SIZE];
	struct fab_cfg_reader r;
	uint16_t sriov = 0, vf_device = 0xffff;
	unsigned i, n = sim_ep_num_vfs_enabled(ep);

	dump_fill(pf, dump_fn_read, sim_ep_pf(ep));
	dump_write_fn(out, domain, sim_fn_rid(sim_ep_pf(ep)), pf);
	if (!n)
		return;
	fab_cfg_reader_init_buf(&r, pf);
	if (fab_cfg_find_ecap(&sriov, &r, PCI_EXT_CAP_ID_SRIOV, NULL) == 0)
		vf_device = fab_cfg_rd16(pf, sriov + PCI_IOV_DID);
	for (i = 0; i < n; i++) {
		const struct sim_fn *fn = sim_ep_vf(ep, i);

		if (!fn)
			continue;
		dump_fill(vf, dump_fn_read, fn);
		fab_cfg_wr16(vf, PCI_VENDOR_ID,
			     fab_cfg_rd16(pf, PCI_VENDOR_ID));
		fab_cfg_wr16(vf, PCI_DEVICE_ID, vf_device);
		dump_write_fn(out, domain, sim_fn_rid(fn), vf);
	}
}

int sim_chassis_dump_fabric(struct sim_chassis *ch, FILE *out,
			    struct fm_err *err)
{
	uint8_t cfg[DUMP_SIZE];
	unsigned s, p;

	for (s = 0; s < ch->nswitches; s++) {
		const struct sim_ch_switch *cs = &ch->switches[s];

		for (p = 0; p < cs->nports; p++) {
			struct dump_port_ctx c = { cs->sw, p };

			dump_fill(cfg, dump_port_read, &c);
			dump_write_fn(out, s, FAB_RID(0, p, 0), cfg);
		}
		for (p = 0; p < cs->nports; p++) {
			if (cs->ports[p].ep >= 0)
				dump_ep(out, s, ch->eps[cs->ports[p].ep].ep);
		}
	}
	return dump_finish(out, "fabric", err);
}
