/* SPDX-License-Identifier: MIT */
/*
 * fm.c - errors and logging shared by every layer.
 */
#include "fabric/fm.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static const char *const fm_err_names[FM_ECOUNT] = {
	[FM_EOK] = "success",		[FM_EINVAL] = "invalid argument",
	[FM_ENOMEM] = "out of memory",	[FM_ENOENT] = "no such object",
	[FM_EEXIST] = "already exists", [FM_EBUSY] = "busy",
	[FM_ERANGE] = "out of range",	[FM_EIO] = "i/o error",
	[FM_ESTATE] = "wrong state",	[FM_ETIMEDOUT] = "timed out",
	[FM_EPARSE] = "parse error",	[FM_ESCHEMA] = "schema violation",
	[FM_ENOSPC] = "no space",	[FM_EPERM] = "not permitted",
	[FM_EUNSUPP] = "not supported", [FM_EUNAVAIL] = "unavailable",
};

/* @code may come from outside (a wire status): never negate INT_MIN. */
const char *fm_strerror(int code)
{
	if (code <= -FM_ECOUNT || code >= FM_ECOUNT)
		return "unknown error";
	return fm_err_names[code < 0 ? -code : code];
}

static int fm_err_vset(struct fm_err *err, int code, int errnum,
		       const char *fmt, va_list ap)
{
	if (code < 0)
		code = -code;
	if (!err || err->code != 0)
		return -code;
	err->code = code;
	err->sys_errno = errnum;
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	if (errnum) {
		size_t n = strlen(err->msg);

		snprintf(err->msg + n, sizeof(err->msg) - n, ": %s",
			 strerror(errnum));
	}
	return -code;
}

int fm_err_set(struct fm_err *err, int code, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = fm_err_vset(err, code, 0, fmt, ap);
	va_end(ap);
	return ret;
}

int fm_err_sys(struct fm_err *err, int code, int errnum, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = fm_err_vset(err, code, errnum, fmt, ap);
	va_end(ap);
	return ret;
}

void fm_err_clear(struct fm_err *err)
{
	if (!err)
		return;
	err->code = 0;
	err->sys_errno = 0;
	err->msg[0] = '\0';
}

enum fm_log_level fm_log_threshold = FM_LOG_INFO;

static const char *const fm_level_names[] = {
	[FM_LOG_ERROR] = "error",
	[FM_LOG_WARN] = "warning",
	[FM_LOG_INFO] = "info",
	[FM_LOG_DEBUG] = "debug",
};

static const char *fm_log_program = "mrfabric";

void fm_log_set_program(const char *name)
{
	fm_log_program = name ? name : "mrfabric";
}

static void fm_log_stderr(void *ctx, enum fm_log_level level, const char *msg)
{
	(void)ctx;
	fprintf(stderr, "%s: %s: %s\n", fm_log_program,
		fm_log_level_name(level), msg);
}

static fm_log_sink_fn *fm_log_sink = fm_log_stderr;
static void *fm_log_ctx;

void fm_log_set_sink(fm_log_sink_fn *fn, void *ctx)
{
	fm_log_sink = fn ? fn : fm_log_stderr;
	fm_log_ctx = fn ? ctx : NULL;
}

void fm_log_set_level(enum fm_log_level level)
{
	fm_log_threshold = level;
}

const char *fm_log_level_name(enum fm_log_level level)
{
	if ((unsigned)level >= FM_ARRAY_SIZE(fm_level_names))
		return "?";
	return fm_level_names[level];
}

void fm_log_emit(enum fm_log_level level, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fm_log_sink(fm_log_ctx, level, msg);
}
