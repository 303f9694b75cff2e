/* SPDX-License-Identifier: MIT */
/*
 * fuzz_chassis.c - libFuzzer target: the chassis-description loader
 * (sim_chassis_from_string(): JSON parse, schema validation, semantic
 * checks, construction).  The input is the description's text; a chassis
 * that loads is freed again (not powered on: a valid description may ask
 * for thousands of VFs).
 *
 * Checked beyond the sanitizers: a refused description says why (a
 * non-empty error message) and leaves no chassis behind.
 */
#include <stdlib.h>
#include <string.h>

#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sim_chassis *ch = NULL;
	struct fm_err err = { 0 };
	char *text;

	fm_log_set_sink(fuzz_log_drop, NULL);
	text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (sim_chassis_from_string(&ch, text, &err) == 0) {
		if (!ch)
			abort();
		sim_chassis_free(ch);
	} else if (!err.msg[0]) {
		abort();
	}
	free(text);
	return 0;
}
