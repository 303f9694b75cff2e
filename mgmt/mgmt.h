/* SPDX-License-Identifier: MIT */
/*
 * mgmt.h - public interface of mgmt/, the layer of mrfabricd (the Redfish
 * management service): its configuration and its single event loop.
 *
 * The daemon is one thread.  Everything it does runs as a callback of the
 * loop below: HTTP requests (mgmt/http_int.h), FMP traffic with the
 * switch, timers, and the embedded simulator's virtual clock.  Nothing a
 * callback does may block; long work becomes a task that advances on
 * later callbacks.  The store has its own header, mgmt/store.h.
 */
#ifndef MRFABRIC_MGMT_MGMT_H
#define MRFABRIC_MGMT_MGMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fabric/fm.h"

struct json_object;
struct sim_clock;

#ifndef MRFABRIC_VERSION
#define MRFABRIC_VERSION "0.1.0"
#endif

/* ---------------------------------------------------------------------
 * Configuration: a JSON file validated against schemas/mrfabricd.schema.json
 * (embedded in the program: nothing is read from the source tree at run
 * time).  Every field is optional; mgmt_config_defaults() documents the
 * defaults.
 */
#define MGMT_ADDR_MAX 64   /* an IPv4 or IPv6 literal, with NUL */
#define MGMT_PATH_MAX 4096 /* a file name, with NUL */
#define MGMT_UUID_LEN 37   /* "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" + NUL */

#define MGMT_USER_NAME_MAX 64 /* an account name, with NUL */

struct mgmt_config {
	/* listen.address, listen.port: where the Redfish service answers */
	char listen_address[MGMT_ADDR_MAX];
	uint16_t listen_port; /* 0: any free port (the log says which) */
	/* database: the SQLite file of the durable state (mgmt/store.h) */
	char database[MGMT_PATH_MAX];
	/* timeouts.managed_unbind_ms: button press to surprise removal */
	uint32_t managed_unbind_timeout_ms;
	/* timeouts.move_ms: a VF move not finished after this fails */
	uint32_t move_timeout_ms;
	/* timeouts.connection_s: an idle HTTP connection is closed */
	uint32_t connection_timeout_s;
	/* timeouts.switch_ms: deadline of one FMP call to --switch */
	uint32_t switch_timeout_ms;
	/* events.retention: events kept for SSE Last-Event-ID replay */
	uint32_t event_retention;
	/* limits.body_bytes: larger request bodies get 413 */
	uint32_t body_max;
	/* sim.speed: virtual seconds per wall second with --sim; 0: as fast
	 * as the loop can go (benchmarks) */
	double sim_speed;
	/* log_level: "error", "warn", "info", "debug" */
	enum fm_log_level log_level;
	/* uuid: the service UUID (ServiceRoot.UUID) */
	char uuid[MGMT_UUID_LEN];

	/* --- security (issue 5; mgmt/auth.h, mgmt/tls.h) --- */
	/* listen.plain_http (or --plain-http): serve plain HTTP instead of
	 * HTTPS; mgmt_config_check() allows it on loopback only */
	bool plain_http;
	/* tls.certificate, tls.key: PEM files; both "" means a self-signed
	 * pair next to the database, generated at first start */
	char tls_certificate[MGMT_PATH_MAX];
	char tls_key[MGMT_PATH_MAX];
	/* accounts.admin_user, accounts.admin_password_file: the first
	 * Administrator, created only while the account table is empty;
	 * without a password file a random password is printed once */
	char admin_user[MGMT_USER_NAME_MAX];
	char admin_password_file[MGMT_PATH_MAX];
	/* sessions.timeout_s: an idle session expires */
	uint32_t session_timeout_s;
	/* limits.connections, limits.connections_per_address */
	uint32_t connection_limit;
	uint32_t connection_limit_per_address;
	/* limits.login_failures within limits.login_window_s lock an
	 * account's logins for limits.login_lockout_s (doubling on each
	 * further failure) */
	uint32_t login_failures;
	uint32_t login_window_s;
	uint32_t login_lockout_s;
	/* audit.retention: audit records kept, oldest pruned */
	uint32_t audit_retention;
};

#define MGMT_DEFAULT_ADDRESS "127.0.0.1"
#define MGMT_DEFAULT_PORT 8080
#define MGMT_DEFAULT_DATABASE "mrfabricd.db"
#define MGMT_DEFAULT_MANAGED_UNBIND_MS 10000 /* switchfw's default too */
#define MGMT_DEFAULT_MOVE_MS 60000
#define MGMT_DEFAULT_CONNECTION_S 30
#define MGMT_DEFAULT_SWITCH_MS 250	  /* switchfw/fmp.h's default too */
#define MGMT_DEFAULT_EVENT_RETENTION 1024 /* mgmt/store.h's default too */
#define MGMT_DEFAULT_BODY_MAX (1024 * 1024)
#define MGMT_DEFAULT_ADMIN_USER "admin"
#define MGMT_DEFAULT_SESSION_S 1800
#define MGMT_DEFAULT_CONNECTIONS 256
#define MGMT_DEFAULT_CONNECTIONS_PER_ADDRESS 32
#define MGMT_DEFAULT_LOGIN_FAILURES 5
#define MGMT_DEFAULT_LOGIN_WINDOW_S 60
#define MGMT_DEFAULT_LOGIN_LOCKOUT_S 10
#define MGMT_DEFAULT_AUDIT_RETENTION 10000

/*
 * Fill @cfg with the defaults: listen on 127.0.0.1:8080 (loopback: plain
 * HTTP must never face a network), database "mrfabricd.db" in the current
 * directory, the MGMT_DEFAULT_* values above, sim speed 1 (real time),
 * log level info, and a UUID derived from /etc/machine-id (stable across
 * restarts; the machine id itself is not disclosed), or from the host
 * name when there is no machine id.
 */
void mgmt_config_defaults(struct mgmt_config *cfg);

/*
 * Apply the JSON configuration @doc over what @cfg holds, after checking
 * it against the schema and the rules the schema cannot say (the address
 * is an IP literal).  @name names the document in messages.  On error
 * returns -FM_ESCHEMA (or -FM_EINVAL) with "<name>: <field>: <reason>" in
 * @err, and @cfg is unchanged.
 */
int mgmt_config_from_json(struct mgmt_config *cfg,
			  const struct json_object *doc, const char *name,
			  struct fm_err *err);

/*
 * mgmt_config_from_json() of the file at @path.  -FM_EIO when it cannot be
 * read, -FM_EPARSE with line and column when it is not JSON.
 */
int mgmt_config_load(struct mgmt_config *cfg, const char *path,
		     struct fm_err *err);

/*
 * Set the listen address and port from "ADDR:PORT" (IPv4), "[ADDR]:PORT"
 * (IPv6) or ":PORT" (keep the address).  -FM_EINVAL naming the bad part;
 * @cfg is unchanged on error.
 */
int mgmt_config_set_listen(struct mgmt_config *cfg, const char *spec,
			   struct fm_err *err);

/*
 * The rules that span fields and sources (file and command line), checked
 * once everything is applied: plain HTTP only on a loopback address
 * (127.0.0.0/8, ::1); tls.certificate and tls.key given together.
 * -FM_ESCHEMA naming the field.
 */
int mgmt_config_check(const struct mgmt_config *cfg, struct fm_err *err);

/* True when @addr is an IPv4 127.0.0.0/8 or the IPv6 ::1 literal. */
bool mgmt_addr_is_loopback(const char *addr);

/* The level named @name ("error", "warn", "info", "debug"); -FM_EINVAL. */
int mgmt_log_level_parse(enum fm_log_level *out, const char *name,
			 struct fm_err *err);

/* ---------------------------------------------------------------------
 * The event loop (epoll).  Callbacks run on the loop's thread, one at a
 * time; each may add or remove descriptors and start or stop timers,
 * including its own.  Times are CLOCK_MONOTONIC nanoseconds.
 */
struct mgmt_loop;

int mgmt_loop_new(struct mgmt_loop **out, struct fm_err *err);
/* Free @loop (NULL is fine).  Registered descriptors are not closed. */
void mgmt_loop_free(struct mgmt_loop *loop);

/* Monotonic time in ns, read at the start of the current iteration. */
uint64_t mgmt_loop_now(const struct mgmt_loop *loop);

/* Descriptor readiness, as watched and as reported. */
#define MGMT_IO_IN 0x1u	 /* readable (or a peer hung up) */
#define MGMT_IO_OUT 0x2u /* writable */
#define MGMT_IO_ERR 0x4u /* error or hang-up: reported, never asked for */

typedef void mgmt_io_fn(void *ctx, int fd, unsigned events);

/*
 * Call @fn(@ctx, @fd, ready) whenever @fd is ready for @events (level
 * triggered).  The descriptor stays the caller's: remove it before
 * closing it.  Returns 0, -FM_EEXIST (already watched), -FM_EINVAL,
 * -FM_ENOMEM, -FM_EIO.
 */
int mgmt_loop_io_add(struct mgmt_loop *loop, int fd, unsigned events,
		     mgmt_io_fn *fn, void *ctx, struct fm_err *err);
/* Change what @fd is watched for.  -FM_ENOENT when it is not watched. */
int mgmt_loop_io_set(struct mgmt_loop *loop, int fd, unsigned events,
		     struct fm_err *err);
/*
 * Stop watching @fd (nothing when it is not watched).  Safe from any
 * callback: a removed descriptor gets no more calls, even in the
 * iteration that removed it.
 */
void mgmt_loop_io_remove(struct mgmt_loop *loop, int fd);

/*
 * A timer lives in its owner's storage (embed it in the object it
 * serves).  The fields are the loop's: set them only through
 * mgmt_timer_init().  A pending timer must be stopped before its storage
 * goes away.
 */
typedef void mgmt_timer_fn(void *ctx);

struct mgmt_timer {
	uint64_t when; /* expiry, monotonic ns */
	uint64_t seq;  /* start order, breaks ties */
	size_t slot;   /* index in the loop's heap, SIZE_MAX when idle */
	mgmt_timer_fn *fn;
	void *ctx;
};

void mgmt_timer_init(struct mgmt_timer *t, mgmt_timer_fn *fn, void *ctx);
/*
 * (Re)start @t to fire once, @delay_ns from now.  Timers due at the same
 * time fire in the order they were started; a timer started from a
 * callback fires in a later iteration even with delay 0, so a loop of
 * zero-delay timers cannot starve descriptors.  Returns 0 or -FM_ENOMEM.
 */
int mgmt_timer_start(struct mgmt_loop *loop, struct mgmt_timer *t,
		     uint64_t delay_ns, struct fm_err *err);
/* Stop @t if pending (nothing otherwise). */
void mgmt_timer_stop(struct mgmt_loop *loop, struct mgmt_timer *t);
bool mgmt_timer_pending(const struct mgmt_timer *t);

/*
 * Catch SIGTERM and SIGINT (blocked and read through a signalfd): the
 * first one stops the loop.  Call it before starting any thread.
 */
int mgmt_loop_catch_signals(struct mgmt_loop *loop, struct fm_err *err);
/* The signal that stopped the loop, 0 if none did. */
int mgmt_loop_signal(const struct mgmt_loop *loop);

/*
 * Drive the discrete-event clock @clk (borrowed; detach with NULL before
 * freeing it) from the loop: virtual time follows wall time, @speed
 * virtual ns per wall ns from now on (1: real time), and every event due
 * runs in the loop's thread before the loop waits.  @speed 0 runs
 * virtual time as fast as possible: each iteration jumps to the next
 * event without waiting.  Virtual time never goes backwards; a loop that
 * falls behind catches up at once.  -FM_EINVAL for a negative or
 * non-finite @speed.
 */
int mgmt_loop_set_vclock(struct mgmt_loop *loop, struct sim_clock *clk,
			 double speed, struct fm_err *err);

/*
 * One iteration: run the virtual clock's due events and the expired
 * timers, wait at most @max_wait_ns (less when a timer or virtual event
 * is due sooner) for descriptors, and call their callbacks.  Returns 0,
 * or -FM_EIO when waiting failed.
 */
int mgmt_loop_run_once(struct mgmt_loop *loop, uint64_t max_wait_ns,
		       struct fm_err *err);
/* Iterate until mgmt_loop_stop() or a caught signal.  0 or -FM_EIO. */
int mgmt_loop_run(struct mgmt_loop *loop, struct fm_err *err);
/* Make mgmt_loop_run() return after the current iteration. */
void mgmt_loop_stop(struct mgmt_loop *loop);
/*
 * Call @fn(@ctx) once per iteration, after the virtual events and timers
 * due ran and before the loop waits for descriptors: the end of what one
 * iteration does (group commit, mgmt/durable.h).  One hook per loop;
 * NULL removes it.  A hook that starts a zero-delay timer keeps the loop
 * from sleeping.
 */
void mgmt_loop_set_prewait(struct mgmt_loop *loop, mgmt_timer_fn *fn,
			   void *ctx);
bool mgmt_loop_stopped(const struct mgmt_loop *loop);

#endif
