/* SPDX-License-Identifier: MIT */
/*
 * cfgspace.c - configuration space as hardware holds it: 4 KiB of bytes
 * with read-write and write-1-to-clear masks (everything else read-only),
 * as QEMU's hw/pci does it.  The power-on image and the masks belong to a
 * kind of function and are shared; a function's own bytes are copied from
 * the image on its first write, so thousands of untouched VFs cost nothing.
 */
#include "sim/sim_int.h"

#include <stdlib.h>
#include <string.h>

#include "fabric/cfg.h"

void sim_cfg_init(struct sim_cfg *cfg, const uint8_t *reset_bytes,
		  const struct sim_cfg_masks *masks)
{
	cfg->bytes = (uint8_t *)reset_bytes;
	cfg->reset_bytes = reset_bytes;
	cfg->masks = masks;
	cfg->shared = true;
}

void sim_cfg_fini(struct sim_cfg *cfg)
{
	if (!cfg->shared)
		free(cfg->bytes);
	cfg->bytes = (uint8_t *)cfg->reset_bytes;
	cfg->shared = true;
}

void sim_cfg_reset(struct sim_cfg *cfg)
{
	sim_cfg_fini(cfg);
}

uint32_t sim_cfg_read(const struct sim_cfg *cfg, uint16_t off, unsigned len)
{
	switch (len) {
	case 1:
		return fab_cfg_rd8(cfg->bytes, off);
	case 2:
		return fab_cfg_rd16(cfg->bytes, off);
	default:
		return fab_cfg_rd32(cfg->bytes, off);
	}
}

/* Give @cfg its own bytes before the first change. */
static int sim_cfg_own(struct sim_cfg *cfg)
{
	uint8_t *copy;

	if (!cfg->shared)
		return 0;
	copy = malloc(FAB_PCI_CFG_SPACE_EXP_SIZE);
	if (!copy)
		return -FM_ENOMEM;
	memcpy(copy, cfg->reset_bytes, FAB_PCI_CFG_SPACE_EXP_SIZE);
	cfg->bytes = copy;
	cfg->shared = false;
	return 0;
}

int sim_cfg_write(struct sim_cfg *cfg, uint16_t off, unsigned len, uint32_t val)
{
	const uint8_t *wmask = cfg->masks->wmask;
	const uint8_t *w1c = cfg->masks->w1cmask;
	bool changes = false;
	unsigned i;
	int ret;

	/* a write that changes no byte must not cost a private copy */
	for (i = 0; i < len; i++) {
		uint8_t v = (uint8_t)(val >> (8 * i));
		uint8_t old = cfg->bytes[off + i];
		uint8_t nv = (uint8_t)((old & ~wmask[off + i]) |
				       (v & wmask[off + i]));

		nv &= (uint8_t) ~(v & w1c[off + i]);
		if (nv != old)
			changes = true;
	}
	if (!changes)
		return 0;
	ret = sim_cfg_own(cfg);
	if (ret < 0)
		return ret;
	for (i = 0; i < len; i++) {
		uint8_t v = (uint8_t)(val >> (8 * i));
		uint8_t *b = &cfg->bytes[off + i];

		*b = (uint8_t)((*b & ~wmask[off + i]) | (v & wmask[off + i]));
		*b &= (uint8_t) ~(v & w1c[off + i]);
	}
	return 0;
}

int sim_cfg_poke(struct sim_cfg *cfg, uint16_t off, unsigned len, uint32_t val)
{
	uint32_t mask = len == 4 ? 0xffffffffu : (1u << (8 * len)) - 1;
	int ret;

	if (sim_cfg_read(cfg, off, len) == (val & mask))
		return 0;
	ret = sim_cfg_own(cfg);
	if (ret < 0)
		return ret;
	for (unsigned i = 0; i < len; i++)
		cfg->bytes[off + i] = (uint8_t)(val >> (8 * i));
	return 0;
}
