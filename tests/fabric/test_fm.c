/* SPDX-License-Identifier: MIT */
/*
 * Tests for fabric/fm.c: error recording, error names and the log sink.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <criterion/redirect.h>

#include <errno.h>
#include <limits.h>
#include <string.h>

#include "fabric/fm.h"

/* ------------------------------------------------------------------ */
/* Errors */

Test(fabric_fm, err_set_records_code_and_message)
{
	struct fm_err err = { 0 };

	cr_assert_eq(fm_err_set(&err, FM_ERANGE, "width %d above %d", 32, 16),
		     -FM_ERANGE);
	cr_assert_eq(err.code, FM_ERANGE);
	cr_assert_eq(err.sys_errno, 0);
	cr_assert_str_eq(err.msg, "width 32 above 16");
}

Test(fabric_fm, err_set_accepts_negative_code)
{
	struct fm_err err = { 0 };

	cr_assert_eq(fm_err_set(&err, -FM_EBUSY, "busy"), -FM_EBUSY);
	cr_assert_eq(err.code, FM_EBUSY);
}

Test(fabric_fm, first_error_wins)
{
	struct fm_err err = { 0 };

	fm_err_set(&err, FM_ENOENT, "no blade %d", 3);
	cr_assert_eq(fm_err_set(&err, FM_EIO, "later"), -FM_EIO);
	cr_assert_eq(fm_err_sys(&err, FM_EIO, EPIPE, "even later"), -FM_EIO);
	cr_assert_eq(err.code, FM_ENOENT);
	cr_assert_eq(err.sys_errno, 0);
	cr_assert_str_eq(err.msg, "no blade 3");
}

Test(fabric_fm, err_set_without_err_only_returns_code)
{
	cr_assert_eq(fm_err_set(NULL, FM_EINVAL, "x"), -FM_EINVAL);
	cr_assert_eq(fm_err_sys(NULL, FM_EIO, ENOENT, "x"), -FM_EIO);
}

Test(fabric_fm, err_sys_appends_strerror_and_keeps_errno)
{
	struct fm_err err = { 0 };

	cr_assert_eq(
		fm_err_sys(&err, FM_EIO, ENOENT, "cannot open %s", "flash.bin"),
		-FM_EIO);
	cr_assert_eq(err.code, FM_EIO);
	cr_assert_eq(err.sys_errno, ENOENT);
	cr_assert_str_eq(err.msg,
			 "cannot open flash.bin: No such file or directory");
}

Test(fabric_fm, err_sys_with_zero_errno_adds_nothing)
{
	struct fm_err err = { 0 };

	fm_err_sys(&err, FM_EIO, 0, "short read");
	cr_assert_eq(err.sys_errno, 0);
	cr_assert_str_eq(err.msg, "short read");
}

Test(fabric_fm, err_message_is_truncated_to_buffer)
{
	struct fm_err err = { 0 };
	char big[FM_ERR_MSG_MAX * 2];

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	fm_err_sys(&err, FM_EINVAL, EINVAL, "%s", big);
	cr_assert_eq(strlen(err.msg), FM_ERR_MSG_MAX - 1);
	cr_assert_eq(err.msg[0], 'x');
}

Test(fabric_fm, err_clear_allows_reuse)
{
	struct fm_err err = { 0 };

	fm_err_sys(&err, FM_EIO, EIO, "first");
	fm_err_clear(&err);
	cr_assert_eq(err.code, 0);
	cr_assert_eq(err.sys_errno, 0);
	cr_assert_str_eq(err.msg, "");
	fm_err_set(&err, FM_EPERM, "second");
	cr_assert_eq(err.code, FM_EPERM);
	cr_assert_str_eq(err.msg, "second");
	fm_err_clear(NULL);
}

struct err_name {
	int code;
	char name[24];
};

ParameterizedTestParameters(fabric_fm, strerror_names_every_code)
{
	static struct err_name cases[] = {
		{ FM_EOK, "success" },
		{ FM_EINVAL, "invalid argument" },
		{ FM_ENOMEM, "out of memory" },
		{ FM_ENOENT, "no such object" },
		{ FM_EEXIST, "already exists" },
		{ FM_EBUSY, "busy" },
		{ FM_ERANGE, "out of range" },
		{ FM_EIO, "i/o error" },
		{ FM_ESTATE, "wrong state" },
		{ FM_ETIMEDOUT, "timed out" },
		{ FM_EPARSE, "parse error" },
		{ FM_ESCHEMA, "schema violation" },
		{ FM_ENOSPC, "no space" },
		{ FM_EPERM, "not permitted" },
		{ FM_EUNSUPP, "not supported" },
		{ FM_EUNAVAIL, "unavailable" },
	};

	return cr_make_param_array(struct err_name, cases,
				   sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct err_name *c, fabric_fm, strerror_names_every_code)
{
	cr_assert_str_eq(fm_strerror(c->code), c->name);
	cr_assert_str_eq(fm_strerror(-c->code), c->name);
}

Test(fabric_fm, strerror_of_unknown_code_says_so)
{
	cr_assert_str_eq(fm_strerror(FM_ECOUNT), "unknown error");
	cr_assert_str_eq(fm_strerror(-FM_ECOUNT), "unknown error");
	cr_assert_str_eq(fm_strerror(INT_MAX), "unknown error");
	cr_assert_str_eq(fm_strerror(INT_MIN), "unknown error");
}

/* ------------------------------------------------------------------ */
/* Logging */

struct capture {
	unsigned n;
	enum fm_log_level level[4];
	char msg[4][1100];
};

static void capture_sink(void *ctx, enum fm_log_level level, const char *msg)
{
	struct capture *c = ctx;

	if (c->n < 4) {
		c->level[c->n] = level;
		snprintf(c->msg[c->n], sizeof(c->msg[0]), "%s", msg);
	}
	c->n++;
}

Test(fabric_fm, log_sink_receives_formatted_message_and_level)
{
	struct capture c = { 0 };

	fm_log_set_sink(capture_sink, &c);
	FM_LOG(FM_LOG_WARN, "sw part%d/vppb%d: link down", 2, 3);
	cr_assert_eq(c.n, 1);
	cr_assert_eq(c.level[0], FM_LOG_WARN);
	cr_assert_str_eq(c.msg[0], "sw part2/vppb3: link down");
}

Test(fabric_fm, log_default_threshold_drops_debug)
{
	struct capture c = { 0 };

	fm_log_set_sink(capture_sink, &c);
	FM_LOG(FM_LOG_DEBUG, "noise");
	FM_LOG(FM_LOG_INFO, "kept");
	cr_assert_eq(c.n, 1);
	cr_assert_str_eq(c.msg[0], "kept");
}

Test(fabric_fm, log_level_filter_passes_only_levels_at_or_below)
{
	struct capture c = { 0 };

	fm_log_set_sink(capture_sink, &c);
	fm_log_set_level(FM_LOG_WARN);
	FM_LOG(FM_LOG_INFO, "info");
	FM_LOG(FM_LOG_ERROR, "error");
	FM_LOG(FM_LOG_WARN, "warn");
	cr_assert_eq(c.n, 2);
	cr_assert_str_eq(c.msg[0], "error");
	cr_assert_str_eq(c.msg[1], "warn");
	fm_log_set_level(FM_LOG_DEBUG);
	FM_LOG(FM_LOG_DEBUG, "debug");
	cr_assert_eq(c.n, 3);
}

Test(fabric_fm, log_filter_skips_argument_evaluation)
{
	struct capture c = { 0 };
	int evaluated = 0;

	fm_log_set_sink(capture_sink, &c);
	FM_LOG(FM_LOG_DEBUG, "%d", ++evaluated);
	cr_assert_eq(evaluated, 0);
}

Test(fabric_fm, log_long_message_is_truncated)
{
	struct capture c = { 0 };
	char big[2000];

	memset(big, 'y', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	fm_log_set_sink(capture_sink, &c);
	FM_LOG(FM_LOG_ERROR, "%s", big);
	cr_assert_eq(strlen(c.msg[0]), 1023);
}

Test(fabric_fm, log_default_sink_writes_stderr_line, .init = cr_redirect_stderr)
{
	FM_LOG(FM_LOG_ERROR, "flash %s corrupt", "A");
	fflush(stderr);
	cr_assert_stderr_eq_str("mrfabric: error: flash A corrupt\n");
}

Test(fabric_fm, log_null_sink_restores_default, .init = cr_redirect_stderr)
{
	struct capture c = { 0 };

	fm_log_set_sink(capture_sink, &c);
	fm_log_set_sink(NULL, &c);
	FM_LOG(FM_LOG_WARN, "back");
	fflush(stderr);
	cr_assert_eq(c.n, 0);
	cr_assert_stderr_eq_str("mrfabric: warning: back\n");
}

Test(fabric_fm, log_level_names)
{
	cr_assert_str_eq(fm_log_level_name(FM_LOG_ERROR), "error");
	cr_assert_str_eq(fm_log_level_name(FM_LOG_WARN), "warning");
	cr_assert_str_eq(fm_log_level_name(FM_LOG_INFO), "info");
	cr_assert_str_eq(fm_log_level_name(FM_LOG_DEBUG), "debug");
	cr_assert_str_eq(fm_log_level_name((enum fm_log_level)7), "?");
}

/* ------------------------------------------------------------------ */
/* Field helpers */

Test(fabric_fm, field_get_and_prep_use_the_mask_position)
{
	cr_assert_eq(FM_FIELD_GET(0x00f0u, 0x1234u), 0x3);
	cr_assert_eq(FM_FIELD_PREP(0x00f0u, 0x5u), 0x50);
	cr_assert_eq(FM_FIELD_PREP(0x00f0u, 0x15u), 0x50);
	cr_assert_eq(FM_FIELD_GET(0xfff00000u, 0xabc00000u), 0xabc);
}
