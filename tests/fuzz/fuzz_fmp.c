/* SPDX-License-Identifier: MIT */
/*
 * fuzz_fmp.c - libFuzzer target: the FMP decoder and dispatcher
 * (switchfw/fmp.h, sw_fmp_dispatch()).  The input is one request message
 * as a fabric manager would send it; it goes to the in-process dispatcher
 * of the firmware of a small simulated chassis, built once per process
 * (state carries over between inputs, as a long-lived switch's does).
 * Then the clock runs until idle so that started work (unbind, FLR,
 * hot-add) runs too.
 *
 * Checked beyond the sanitizers: every request gets a well-formed
 * response (sw_fmp_response_check()) of at most SW_FMP_MAX_MSG bytes that
 * echoes the request's opcode and tag when the header was readable.
 */
#include <stdlib.h>
#include <string.h>

#include "switchfw/fmp.h"
#include "tests/fuzz/fuzz.h"

static struct fuzz_fabric fuzz_fmp_fabric;
static bool fuzz_fmp_ready;

static void fuzz_fmp_teardown(void)
{
	fuzz_fabric_down(&fuzz_fmp_fabric);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t rsp[SW_FMP_MAX_MSG];
	struct sw_fmp_hdr hdr;
	struct fm_err err = { 0 };
	size_t len;

	if (!fuzz_fmp_ready) {
		fuzz_fabric_up(&fuzz_fmp_fabric);
		atexit(fuzz_fmp_teardown);
		fuzz_fmp_ready = true;
	}
	len = sw_fmp_dispatch(rsp, fuzz_fmp_fabric.fw, data, size);
	if (len < SW_FMP_HDR_SIZE || len > SW_FMP_MAX_MSG)
		abort();
	sw_fmp_decode(&hdr, &sw_fmp_layout_hdr, rsp);
	if (size >= SW_FMP_HDR_SIZE) {
		struct sw_fmp_hdr req;

		sw_fmp_decode(&req, &sw_fmp_layout_hdr, data);
		if (sw_fmp_response_check(&hdr, rsp, len, req.opcode, req.tag,
					  &err) < 0)
			abort();
	} else if (hdr.status != SW_FMP_ST_BAD_LENGTH) {
		abort();
	}
	sim_clock_run_idle(fuzz_fmp_fabric.clk, FUZZ_IDLE_MAX);
	return 0;
}
