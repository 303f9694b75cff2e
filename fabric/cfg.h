/* SPDX-License-Identifier: MIT */
/*
 * cfg.h - configuration space helpers: little-endian accessors over a
 * 4 KiB byte image, and capability walkers over any reader (a byte image,
 * config TLPs through a fabric, libpci).
 */
#ifndef MRFABRIC_FABRIC_CFG_H
#define MRFABRIC_FABRIC_CFG_H

#include <stdbool.h>
#include <stdint.h>

#include "fm.h"

/* Raw accessors on a config image; @off must be in range (asserted). */
uint8_t fab_cfg_rd8(const uint8_t *cfg, uint16_t off);
uint16_t fab_cfg_rd16(const uint8_t *cfg, uint16_t off);
uint32_t fab_cfg_rd32(const uint8_t *cfg, uint16_t off);
void fab_cfg_wr8(uint8_t *cfg, uint16_t off, uint8_t v);
void fab_cfg_wr16(uint8_t *cfg, uint16_t off, uint16_t v);
void fab_cfg_wr32(uint8_t *cfg, uint16_t off, uint32_t v);

/*
 * Checked access of @len (1, 2 or 4) bytes at @off of a @size-byte image
 * (256 or 4096).  Returns 0, or -FM_EINVAL for a bad length, misaligned or
 * out-of-range offset.
 */
int fab_cfg_check_access(uint16_t off, unsigned len, unsigned size,
			 struct fm_err *err);
int fab_cfg_read(uint32_t *val, const uint8_t *cfg, unsigned size, uint16_t off,
		 unsigned len, struct fm_err *err);
int fab_cfg_write(uint8_t *cfg, unsigned size, uint16_t off, unsigned len,
		  uint32_t val, struct fm_err *err);

/*
 * A config reader: returns the @len-byte value at @off, or all ones when
 * the function does not answer.  Walkers use only this.
 */
typedef uint32_t fab_cfg_read_fn(void *ctx, uint16_t off, unsigned len);

struct fab_cfg_reader {
	fab_cfg_read_fn *read;
	void *ctx;
};

/* A reader over a 4 KiB byte image (borrowed, must outlive the reader). */
void fab_cfg_reader_init_buf(struct fab_cfg_reader *r, const uint8_t *cfg);

/*
 * Capability walk.  Start with *off = 0; each call moves *off to the next
 * capability and sets *id, returning true, or returns false at the end of
 * the list.  Loops and pointers outside the space end the walk (at most
 * 48 standard and 512 extended capabilities are visited).
 */
bool fab_cfg_next_cap(const struct fab_cfg_reader *r, uint16_t *off,
		      uint8_t *id);
bool fab_cfg_next_ecap(const struct fab_cfg_reader *r, uint16_t *off,
		       uint16_t *id);

/*
 * Find a standard (PCI_CAP_ID_*) or extended (PCI_EXT_CAP_ID_*)
 * capability.  Returns 0 with *off set, -FM_ENOENT when absent.
 */
int fab_cfg_find_cap(uint16_t *off, const struct fab_cfg_reader *r, uint8_t id,
		     struct fm_err *err);
int fab_cfg_find_ecap(uint16_t *off, const struct fab_cfg_reader *r,
		      uint16_t id, struct fm_err *err);

#endif
