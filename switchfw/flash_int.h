/* SPDX-License-Identifier: MIT */
/*
 * flash_int.h - the firmware's configuration store in the chip's flash
 * (HAL flash_read/flash_write), private to switchfw/.
 *
 * The flash is split into two equal halves, copy A at offset 0 and copy B
 * at flash_size / 2.  Each copy is a fixed header followed by the binding
 * records, all little-endian:
 *
 *   off  size  field
 *     0     4  magic       SW_FLASH_MAGIC ("MRFL")
 *     4     2  layout      SW_FLASH_LAYOUT
 *     6     2  hdr_size    SW_FLASH_HDR_SIZE
 *     8     8  generation  1, 2, ...; the copy with the highest wins
 *    16     4  length      bytes of records that follow
 *    20     4  crc         CRC-32 (IEEE 802.3, as zlib's crc32()) of
 *                          bytes 0..19 and then the records
 *    24     8n records     fid u32, partition u16, vppb u16
 *
 * A save writes the copy that is not the newest valid one, with the newest
 * generation + 1, so a crash or power loss in the middle of the write
 * leaves the other copy intact; a load takes the valid copy with the
 * highest generation.  A copy is valid when its magic, layout, header size
 * and length are right (the records fit in the half) and the CRC matches.
 */
#ifndef MRFABRIC_SWITCHFW_FLASH_INT_H
#define MRFABRIC_SWITCHFW_FLASH_INT_H

#include <stddef.h>
#include <stdint.h>

#include "fabric/chip.h"
#include "fabric/fm.h"

#define SW_FLASH_MAGIC 0x4c46524du /* "MRFL" as little-endian bytes */
#define SW_FLASH_LAYOUT 1
#define SW_FLASH_HDR_SIZE 24
#define SW_FLASH_REC_SIZE 8

/* One saved binding: function @fid on vPPB @vppb of partition @partition. */
struct sw_flash_binding {
	uint32_t fid;
	uint16_t partition;
	uint16_t vppb;
};

/*
 * Save @n bindings (@b may be NULL when @n is 0: "nothing bound") into the
 * older copy with generation + 1.  Returns 0, -FM_ENOSPC when they do not
 * fit in half the flash, or the HAL's error (-FM_EIO, ...); the newest
 * valid copy is intact whatever happens.
 */
int sw_flash_save(struct fab_chip *chip, const struct sw_flash_binding *b,
		  unsigned n, struct fm_err *err);

/*
 * Read the newest valid copy into @b (at most @max records) and its count
 * into *n.  Returns 0, -FM_ENOENT when neither copy is valid (never
 * written, or both corrupt), -FM_ENOSPC when the copy holds more than @max
 * bindings (nothing copied), or the HAL's error.
 */
int sw_flash_load(struct sw_flash_binding *b, unsigned max, unsigned *n,
		  struct fab_chip *chip, struct fm_err *err);

/*
 * The bindings one copy can hold on @chip (0 when the flash is too small
 * for a header).
 */
unsigned sw_flash_capacity(struct fab_chip *chip);

/*
 * CRC-32 (reflected polynomial 0xedb88320, initial and final xor
 * 0xffffffff): start with @crc = 0, feed the result back to continue.
 * sw_flash_crc32(0, "123456789", 9) == 0xcbf43926.
 */
uint32_t sw_flash_crc32(uint32_t crc, const void *buf, size_t len);

#endif
