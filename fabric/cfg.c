/* SPDX-License-Identifier: MIT */
/*
 * cfg.c - config space accessors and capability walkers.
 */
#include "fabric/cfg.h"

#include <assert.h>
#include <string.h>

#include "fabric/pcie.h"

/* PCIe r6.0 7.6.3: Extended Capability Header, 32 bits */
#define FAB_PCI_EXT_CAP_ID 0x0000ffffu	 /* Extended Capability ID */
#define FAB_PCI_EXT_CAP_VER 0x000f0000u	 /* Capability Version */
#define FAB_PCI_EXT_CAP_NEXT 0xfff00000u /* Next Capability Offset */
/* Standard capabilities live after the 64-byte header (PCI r3.0 6.7). */
#define FAB_PCI_CAP_MIN_OFF 0x40

uint8_t fab_cfg_rd8(const uint8_t *cfg, uint16_t off)
{
	assert(off < FAB_PCI_CFG_SPACE_EXP_SIZE);
	return cfg[off];
}

uint16_t fab_cfg_rd16(const uint8_t *cfg, uint16_t off)
{
	assert(off + 2 <= FAB_PCI_CFG_SPACE_EXP_SIZE);
	return (uint16_t)(cfg[off] | cfg[off + 1] << 8);
}

uint32_t fab_cfg_rd32(const uint8_t *cfg, uint16_t off)
{
	assert(off + 4 <= FAB_PCI_CFG_SPACE_EXP_SIZE);
	return (uint32_t)cfg[off] | (uint32_t)cfg[off + 1] << 8 |
	       (uint32_t)cfg[off + 2] << 16 | (uint32_t)cfg[off + 3] << 24;
}

void fab_cfg_wr8(uint8_t *cfg, uint16_t off, uint8_t v)
{
	assert(off < FAB_PCI_CFG_SPACE_EXP_SIZE);
	cfg[off] = v;
}

void fab_cfg_wr16(uint8_t *cfg, uint16_t off, uint16_t v)
{
	assert(off + 2 <= FAB_PCI_CFG_SPACE_EXP_SIZE);
	cfg[off] = (uint8_t)v;
	cfg[off + 1] = (uint8_t)(v >> 8);
}

void fab_cfg_wr32(uint8_t *cfg, uint16_t off, uint32_t v)
{
	assert(off + 4 <= FAB_PCI_CFG_SPACE_EXP_SIZE);
	cfg[off] = (uint8_t)v;
	cfg[off + 1] = (uint8_t)(v >> 8);
	cfg[off + 2] = (uint8_t)(v >> 16);
	cfg[off + 3] = (uint8_t)(v >> 24);
}

int fab_cfg_check_access(uint16_t off, unsigned len, unsigned size,
			 struct fm_err *err)
{
	if (size != FAB_PCI_CFG_SPACE_SIZE &&
	    size != FAB_PCI_CFG_SPACE_EXP_SIZE)
		return fm_err_set(err, FM_EINVAL,
				  "config space of %u bytes: size must be 256 "
				  "or 4096",
				  size);
	if (len != 1 && len != 2 && len != 4)
		return fm_err_set(err, FM_EINVAL,
				  "config access at 0x%03x: length %u is not "
				  "1, 2 or 4",
				  off, len);
	if (off % len != 0)
		return fm_err_set(err, FM_EINVAL,
				  "%u-byte config access at 0x%03x: not "
				  "naturally aligned",
				  len, off);
	if (off + len > size)
		return fm_err_set(err, FM_EINVAL,
				  "%u-byte config access at 0x%03x: beyond "
				  "the %u-byte space",
				  len, off, size);
	return 0;
}

/* Little-endian value of @len (1, 2 or 4) bytes; the access is checked. */
static uint32_t fab_cfg_get(const uint8_t *cfg, uint16_t off, unsigned len)
{
	switch (len) {
	case 1:
		return fab_cfg_rd8(cfg, off);
	case 2:
		return fab_cfg_rd16(cfg, off);
	default:
		return fab_cfg_rd32(cfg, off);
	}
}

int fab_cfg_read(uint32_t *val, const uint8_t *cfg, unsigned size, uint16_t off,
		 unsigned len, struct fm_err *err)
{
	int ret;

	ret = fab_cfg_check_access(off, len, size, err);
	if (ret < 0)
		return ret;
	*val = fab_cfg_get(cfg, off, len);
	return 0;
}

int fab_cfg_write(uint8_t *cfg, unsigned size, uint16_t off, unsigned len,
		  uint32_t val, struct fm_err *err)
{
	int ret;

	ret = fab_cfg_check_access(off, len, size, err);
	if (ret < 0)
		return ret;
	switch (len) {
	case 1:
		fab_cfg_wr8(cfg, off, (uint8_t)val);
		break;
	case 2:
		fab_cfg_wr16(cfg, off, (uint16_t)val);
		break;
	default:
		fab_cfg_wr32(cfg, off, val);
		break;
	}
	return 0;
}

/* All ones in the low @len bytes: what a read of an absent function gives. */
static uint32_t fab_cfg_ones(unsigned len)
{
	return len >= 4 ? 0xffffffffu : (1u << (8 * len)) - 1;
}

static uint32_t fab_cfg_buf_read(void *ctx, uint16_t off, unsigned len)
{
	if ((len != 1 && len != 2 && len != 4) || off % len != 0 ||
	    off + len > FAB_PCI_CFG_SPACE_EXP_SIZE)
		return fab_cfg_ones(len);
	return fab_cfg_get(ctx, off, len);
}

void fab_cfg_reader_init_buf(struct fab_cfg_reader *r, const uint8_t *cfg)
{
	r->read = fab_cfg_buf_read;
	/* the reader only reads through ctx */
	r->ctx = (void *)cfg;
}

/* A reader's value cut to @len bytes, so readers may return wider words. */
static uint32_t fab_cfg_rd(const struct fab_cfg_reader *r, uint16_t off,
			   unsigned len)
{
	return r->read(r->ctx, off, len) & fab_cfg_ones(len);
}

/*
 * One capability list walk.  A list is a chain of pointers that a device
 * (or a fault) can bend into a loop, so the walk remembers every offset it
 * visited (capabilities are dword aligned: one bit per dword) and stops at
 * the first repeat, or after max_visits capabilities, as Linux does with
 * its TTL (PCI_FIND_CAP_TTL 48; 512 here for the extended space).
 */
struct fab_cap_walk {
	const struct fab_cfg_reader *r;
	bool ext;
	uint16_t off;	 /* current capability, 0 before the first */
	unsigned visits; /* capabilities visited so far */
	uint64_t seen[FAB_PCI_CFG_SPACE_EXP_SIZE / 4 / 64];
};

#define FAB_CAP_MAX_VISITS 48
#define FAB_ECAP_MAX_VISITS 512

static void fab_cap_walk_init(struct fab_cap_walk *w,
			      const struct fab_cfg_reader *r, bool ext)
{
	memset(w, 0, sizeof(*w));
	w->r = r;
	w->ext = ext;
}

/*
 * Offset of the first capability (PCI r3.0 6.7: the pointer at 0x34 is
 * valid only when Status.Capabilities List is set; PCIe r6.0 7.6.3:
 * extended capabilities start at 0x100), or 0 when there is none.
 */
static uint16_t fab_cap_walk_first(const struct fab_cap_walk *w)
{
	uint32_t status;

	if (w->ext)
		return FAB_PCI_CFG_SPACE_SIZE;
	status = fab_cfg_rd(w->r, PCI_STATUS, 2);
	if (status == 0xffff || !(status & PCI_STATUS_CAP_LIST))
		return 0;
	return fab_cfg_rd(w->r, PCI_CAPABILITY_LIST, 1);
}

/*
 * Move to the next capability: true with w->off and *id set, false at
 * the end of the list.  A standard header is id[7:0] next[15:8]; an
 * extended one is id[15:0] version[19:16] next[31:20].  Pointers have
 * their low two bits masked (reserved) and must point past the header
 * (0x40) or into the extended space (0x100).
 */
static bool fab_cap_walk_next(struct fab_cap_walk *w, uint16_t *id)
{
	unsigned max = w->ext ? FAB_ECAP_MAX_VISITS : FAB_CAP_MAX_VISITS;
	uint16_t min = w->ext ? FAB_PCI_CFG_SPACE_SIZE : FAB_PCI_CAP_MIN_OFF;
	uint32_t hdr;
	uint16_t next;

	if (w->off == 0) {
		next = fab_cap_walk_first(w);
	} else if (w->ext) {
		hdr = fab_cfg_rd(w->r, w->off, 4);
		next = (uint16_t)FM_FIELD_GET(FAB_PCI_EXT_CAP_NEXT, hdr);
	} else {
		next = (uint16_t)fab_cfg_rd(w->r, w->off + PCI_CAP_LIST_NEXT,
					    1);
	}
	next &= (uint16_t)~3u;
	if (next < min || w->visits >= max)
		return false;
	if (w->seen[next / 4 / 64] & (1ull << (next / 4 % 64)))
		return false;
	if (w->ext) {
		hdr = fab_cfg_rd(w->r, next, 4);
		if (hdr == 0 || hdr == 0xffffffffu)
			return false;
		*id = (uint16_t)FM_FIELD_GET(FAB_PCI_EXT_CAP_ID, hdr);
	} else {
		/* 0xff: the function went away under the walk */
		*id = (uint16_t)fab_cfg_rd(w->r, next + PCI_CAP_LIST_ID, 1);
		if (*id == 0xff)
			return false;
	}
	w->seen[next / 4 / 64] |= 1ull << (next / 4 % 64);
	w->visits++;
	w->off = next;
	return true;
}

/*
 * The public iterator carries only an offset, so it replays the walk from
 * the start up to *off to know what was visited: that keeps loops finite
 * for callers that iterate.  An *off that is not on the list starts a new
 * walk there.
 */
static bool fab_cap_step(const struct fab_cfg_reader *r, bool ext,
			 uint16_t *off, uint16_t *id)
{
	struct fab_cap_walk w;
	uint16_t cur;

	fab_cap_walk_init(&w, r, ext);
	if (*off != 0) {
		while (w.off != *off && fab_cap_walk_next(&w, &cur))
			;
		if (w.off != *off) {
			fab_cap_walk_init(&w, r, ext);
			w.off = *off;
			w.visits = 1;
			w.seen[*off / 4 / 64] |= 1ull << (*off / 4 % 64);
		}
	}
	if (!fab_cap_walk_next(&w, &cur))
		return false;
	*off = w.off;
	*id = cur;
	return true;
}

bool fab_cfg_next_cap(const struct fab_cfg_reader *r, uint16_t *off,
		      uint8_t *id)
{
	uint16_t id16;

	if (*off >= FAB_PCI_CFG_SPACE_SIZE ||
	    !fab_cap_step(r, false, off, &id16))
		return false;
	*id = (uint8_t)id16;
	return true;
}

bool fab_cfg_next_ecap(const struct fab_cfg_reader *r, uint16_t *off,
		       uint16_t *id)
{
	if (*off >= FAB_PCI_CFG_SPACE_EXP_SIZE)
		return false;
	return fab_cap_step(r, true, off, id);
}

static int fab_cap_find(uint16_t *off, const struct fab_cfg_reader *r, bool ext,
			uint16_t id, struct fm_err *err)
{
	struct fab_cap_walk w;
	uint16_t cur;

	fab_cap_walk_init(&w, r, ext);
	while (fab_cap_walk_next(&w, &cur)) {
		if (cur == id) {
			*off = w.off;
			return 0;
		}
	}
	if (ext)
		return fm_err_set(err, FM_ENOENT,
				  "no extended capability 0x%04x", id);
	return fm_err_set(err, FM_ENOENT, "no capability 0x%02x", id);
}

int fab_cfg_find_cap(uint16_t *off, const struct fab_cfg_reader *r, uint8_t id,
		     struct fm_err *err)
{
	return fab_cap_find(off, r, false, id, err);
}

int fab_cfg_find_ecap(uint16_t *off, const struct fab_cfg_reader *r,
		      uint16_t id, struct fm_err *err)
{
	return fab_cap_find(off, r, true, id, err);
}
