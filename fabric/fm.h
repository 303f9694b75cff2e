/* SPDX-License-Identifier: MIT */
/*
 * fm.h - the shared basics of every mrfabric layer: error reporting,
 * logging and register field helpers.
 *
 * Error contract (see STYLE.md): a fallible function returns 0 on success
 * or a negative -FM_E* code, and fills the caller's struct fm_err when one
 * is given.  The first error recorded wins; on success err is untouched.
 */
#ifndef MRFABRIC_FABRIC_FM_H
#define MRFABRIC_FABRIC_FM_H

#include <stdarg.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>

enum fm_errcode {
	FM_EOK = 0,
	FM_EINVAL,    /* malformed argument or request */
	FM_ENOMEM,    /* allocation failed */
	FM_ENOENT,    /* no such object */
	FM_EEXIST,    /* object already exists / already bound */
	FM_EBUSY,     /* object in use or in transition */
	FM_ERANGE,    /* value outside the allowed range */
	FM_EIO,	      /* I/O failed (file, socket, link) */
	FM_ESTATE,    /* operation not allowed in the current state */
	FM_ETIMEDOUT, /* a wait ran out */
	FM_EPARSE,    /* input is not well-formed (JSON, message) */
	FM_ESCHEMA,   /* input is well-formed but violates its schema */
	FM_ENOSPC,    /* table or resource exhausted */
	FM_EPERM,     /* not allowed for this caller */
	FM_EUNSUPP,   /* valid but not supported */
	FM_EUNAVAIL,  /* a peer (the switch) cannot be reached now */
	FM_ECOUNT
};

#define FM_ERR_MSG_MAX 256

struct fm_err {
	int code;      /* enum fm_errcode, 0 when no error was recorded */
	int sys_errno; /* errno that caused it, or 0 */
	char msg[FM_ERR_MSG_MAX];
};

/*
 * Record an error in @err (may be NULL) unless one is already recorded.
 * Returns -code so callers can write `return fm_err_set(err, ...)`.
 */
int fm_err_set(struct fm_err *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* As fm_err_set(), also recording @errnum and appending strerror(errnum). */
int fm_err_sys(struct fm_err *err, int code, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Forget a recorded error so @err can be reused. */
void fm_err_clear(struct fm_err *err);

/* Stable lower-case name of an error code ("invalid argument", ...). */
const char *fm_strerror(int code);

/* Logging: one pluggable sink, messages filtered by level. */
enum fm_log_level {
	FM_LOG_ERROR = 0,
	FM_LOG_WARN,
	FM_LOG_INFO,
	FM_LOG_DEBUG,
};

/* A sink receives one formatted message, without trailing newline. */
typedef void fm_log_sink_fn(void *ctx, enum fm_log_level level,
			    const char *msg);

extern enum fm_log_level fm_log_threshold;

/*
 * Install @fn as the log sink (NULL restores the default, which writes
 * "mrfabric: <level>: <msg>" lines to stderr).  Not thread-safe: set it
 * before starting threads.
 */
void fm_log_set_sink(fm_log_sink_fn *fn, void *ctx);
/* The program the default sink names in its lines ("mrfabric" when
 * @name is NULL; @name is borrowed: a string literal). */
void fm_log_set_program(const char *name);
void fm_log_set_level(enum fm_log_level level);
const char *fm_log_level_name(enum fm_log_level level);
void fm_log_emit(enum fm_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Format and emit only when the level passes the threshold. */
#define FM_LOG(level, ...)                                                     \
	do {                                                                   \
		if ((level) <= fm_log_threshold)                               \
			fm_log_emit((level), __VA_ARGS__);                     \
	} while (0)

/* Register field helpers: @mask is a contiguous constant bit mask. */
#define FM_FIELD_LSB(mask) ((mask) & ~((mask)-1))
#define FM_FIELD_GET(mask, v) (((v) & (mask)) / FM_FIELD_LSB(mask))
#define FM_FIELD_PREP(mask, v) (((v)*FM_FIELD_LSB(mask)) & (mask))

#define FM_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define FM_CONTAINER_OF(ptr, type, member)                                     \
	((type *)(void *)((char *)(ptr)-offsetof(type, member)))

#endif
