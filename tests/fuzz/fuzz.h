/* SPDX-License-Identifier: MIT */
/*
 * fuzz.h - what the fuzz targets share: the libFuzzer entry point they
 * each define, and a small simulated chassis (examples/chassis-small.json)
 * with the switch firmware started before power-on, as the switchfw tests
 * build it.  Header-only (static inline) so each target stays one file;
 * tests/fuzz/replay.c runs a target over a corpus without libFuzzer.
 */
#ifndef MRFABRIC_TESTS_FUZZ_FUZZ_H
#define MRFABRIC_TESTS_FUZZ_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "fabric/fm.h"
#include "sim/sim.h"
#include "switchfw/switchfw.h"

/* Events a target runs at most after one input (no timer may loop). */
#define FUZZ_IDLE_MAX 200000ULL

/* libFuzzer's entry point: every input must return 0. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fuzz_fabric {
	struct sim_chassis *ch;
	struct sim_clock *clk;
	struct sw_fw *fw;
	struct fab_chip *chips[SW_MAX_CHIPS];
	unsigned nchips;
};

/*
 * A setup failure is a bug of the target, not a finding: say why and
 * abort, which libFuzzer and replay both report.
 */
static inline void fuzz_die(const char *what, const struct fm_err *err)
{
	fprintf(stderr, "fuzz setup: %s: %s\n", what, err->msg);
	abort();
}

/*
 * Log messages are formatted (their format code runs under the
 * sanitizers) but dropped: expected refusals would flood the fuzzer.
 */
static inline void fuzz_log_drop(void *ctx, enum fm_log_level level,
				 const char *msg)
{
	(void)ctx;
	(void)level;
	(void)msg;
}

/*
 * Load the small example chassis, start the firmware on its switch,
 * power on and run until idle: both blades have enumerated their virtual
 * hierarchies.
 */
static inline void fuzz_fabric_up(struct fuzz_fabric *f)
{
	struct fm_err err = { 0 };

	fm_log_set_sink(fuzz_log_drop, NULL);
	fm_log_set_level(FM_LOG_WARN);
	if (sim_chassis_load(&f->ch,
			     MRFABRIC_SOURCE_DIR "/examples/chassis-small.json",
			     &err) < 0)
		fuzz_die("load chassis", &err);
	f->clk = sim_chassis_clock(f->ch);
	f->nchips = sim_chassis_switch_count(f->ch);
	for (unsigned i = 0; i < f->nchips; i++)
		f->chips[i] = sim_switch_chip(sim_chassis_switch(f->ch, i));
	if (sw_fw_new(&f->fw, f->chips, f->nchips, NULL, &err) < 0)
		fuzz_die("firmware new", &err);
	if (sw_fw_start(f->fw, &err) < 0)
		fuzz_die("firmware start", &err);
	if (sim_chassis_power_on(f->ch, &err) < 0)
		fuzz_die("power on", &err);
}

static inline void fuzz_fabric_down(struct fuzz_fabric *f)
{
	sw_fw_free(f->fw);
	sim_chassis_free(f->ch);
}

#endif
