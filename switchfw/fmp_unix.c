/* SPDX-License-Identifier: MIT */
/*
 * fmp_unix.c - FMP over a UNIX stream socket: a non-blocking server that
 * fits an event loop (one epoll descriptor for the listener and every
 * client) and a client whose every call is bounded by a deadline and
 * which, after any failure, stays disconnected (failing at once) until
 * sw_fmp_unix_client_reconnect() gives it a fresh stream.
 *
 * Framing: a 4-byte little-endian length, then the message.  A server
 * connection holds at most one frame in (plus what follows it) and one
 * response out; while a response cannot be written the connection stops
 * reading, so a client that never reads cannot make the server buffer
 * without bound.
 */
#include "switchfw/fmp.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define FMP_FRAME_MAX (SW_FMP_FRAME_HDR + SW_FMP_MAX_MSG)

static uint32_t fmp_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static void fmp_put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static int fmp_sockaddr(struct sockaddr_un *sa, const char *path,
			struct fm_err *err)
{
	size_t n = path ? strlen(path) : 0;

	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (n == 0 || n >= sizeof(sa->sun_path))
		return fm_err_set(
			err, FM_EINVAL,
			"fmp socket path \"%s\": must be 1..%zu bytes",
			path ? path : "", sizeof(sa->sun_path) - 1);
	memcpy(sa->sun_path, path, n);
	return 0;
}

/* ---------------------------------------------------------------------
 * Server.
 */
struct fmp_conn {
	int fd;
	uint32_t events; /* epoll interest now registered */
	bool closing;	 /* write what is pending, then disconnect */
	size_t in_len;
	size_t out_len;
	size_t out_off;
	uint8_t in[FMP_FRAME_MAX];
	uint8_t out[FMP_FRAME_MAX];
};

struct sw_fmp_unix_server {
	int lfd;
	int epfd;
	dev_t dev; /* the socket file we created, removed at the end */
	ino_t ino;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	sw_fmp_handle_fn *fn;
	void *ctx;
	unsigned nconns;
	struct fmp_conn *conns[SW_FMP_UNIX_MAX_CLIENTS];
};

static void fmp_conn_drop(struct sw_fmp_unix_server *s, struct fmp_conn *c)
{
	for (unsigned i = 0; i < s->nconns; i++) {
		if (s->conns[i] != c)
			continue;
		s->conns[i] = s->conns[--s->nconns];
		break;
	}
	epoll_ctl(s->epfd, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	free(c);
}

/* Write what is pending; false when the connection failed. */
static bool fmp_conn_flush(struct fmp_conn *c)
{
	while (c->out_off < c->out_len) {
		ssize_t n = send(c->fd, c->out + c->out_off,
				 c->out_len - c->out_off, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK;
		c->out_off += (size_t)n;
	}
	c->out_len = 0;
	c->out_off = 0;
	return true;
}

/* Queue a BAD_LENGTH response for a frame that is too long. */
static void fmp_conn_reject_frame(struct fmp_conn *c, uint32_t flen)
{
	struct sw_fmp_hdr h = {
		.version = SW_FMP_VERSION,
		.flags = SW_FMP_FLAG_RESPONSE,
		.status = SW_FMP_ST_BAD_LENGTH,
	};
	char msg[96];
	int n;

	n = snprintf(msg, sizeof(msg),
		     "frame of %u bytes exceeds the %u-byte maximum", flen,
		     SW_FMP_MAX_MSG);
	h.length = (uint32_t)n;
	fmp_put_le32(c->out, SW_FMP_HDR_SIZE + h.length);
	sw_fmp_encode(c->out + SW_FMP_FRAME_HDR, &sw_fmp_layout_hdr, &h);
	memcpy(c->out + SW_FMP_FRAME_HDR + SW_FMP_HDR_SIZE, msg, h.length);
	c->out_len = SW_FMP_FRAME_HDR + SW_FMP_HDR_SIZE + h.length;
	c->out_off = 0;
	c->closing = true;
	c->in_len = 0;
	FM_LOG(FM_LOG_WARN,
	       "sw fmp: client fd %d sent a frame of %u bytes (max %u): "
	       "disconnecting",
	       c->fd, flen, SW_FMP_MAX_MSG);
}

/* Answer the buffered complete frames while responses can be written. */
static bool fmp_conn_answer(struct sw_fmp_unix_server *s, struct fmp_conn *c)
{
	while (!c->closing && c->out_len == 0 &&
	       c->in_len >= SW_FMP_FRAME_HDR) {
		uint32_t flen = fmp_le32(c->in);
		size_t used, rlen;

		if (flen > SW_FMP_MAX_MSG) {
			fmp_conn_reject_frame(c, flen);
			break;
		}
		used = SW_FMP_FRAME_HDR + flen;
		if (c->in_len < used)
			break;
		rlen = s->fn(s->ctx, c->out + SW_FMP_FRAME_HDR,
			     c->in + SW_FMP_FRAME_HDR, flen);
		fmp_put_le32(c->out, (uint32_t)rlen);
		c->out_len = SW_FMP_FRAME_HDR + rlen;
		c->out_off = 0;
		c->in_len -= used;
		if (c->in_len)
			memmove(c->in, c->in + used, c->in_len);
		if (!fmp_conn_flush(c))
			return false;
	}
	return fmp_conn_flush(c);
}

/* Read once; false when the peer is gone or the connection failed. */
static bool fmp_conn_read(struct fmp_conn *c)
{
	ssize_t n;

	if (c->closing || c->out_len || c->in_len == sizeof(c->in))
		return true;
	do {
		n = recv(c->fd, c->in + c->in_len, sizeof(c->in) - c->in_len,
			 0);
	} while (n < 0 && errno == EINTR);
	if (n == 0)
		return false;
	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK;
	c->in_len += (size_t)n;
	return true;
}

static void fmp_conn_service(struct sw_fmp_unix_server *s, struct fmp_conn *c,
			     uint32_t events)
{
	uint32_t want;

	if ((events & EPOLLERR) || ((events & EPOLLHUP) && !(events & EPOLLIN)))
		goto drop;
	if (!fmp_conn_answer(s, c) || !fmp_conn_read(c) ||
	    !fmp_conn_answer(s, c))
		goto drop;
	if (c->closing && c->out_len == 0)
		goto drop;
	want = c->out_len ? EPOLLOUT : EPOLLIN;
	if (want != c->events) {
		struct epoll_event ev = { .events = want, .data.ptr = c };

		if (epoll_ctl(s->epfd, EPOLL_CTL_MOD, c->fd, &ev) < 0)
			goto drop;
		c->events = want;
	}
	return;
drop:
	fmp_conn_drop(s, c);
}

static void fmp_server_accept(struct sw_fmp_unix_server *s)
{
	for (;;) {
		struct epoll_event ev = { .events = EPOLLIN };
		struct fmp_conn *c;
		int fd;

		fd = accept4(s->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0 && errno == EINTR)
			continue;
		if (fd < 0)
			return; /* EAGAIN, or a client that went away */
		if (s->nconns == SW_FMP_UNIX_MAX_CLIENTS) {
			FM_LOG(FM_LOG_WARN,
			       "sw fmp: %s: %u clients already, refusing one",
			       s->path, s->nconns);
			close(fd);
			continue;
		}
		c = malloc(sizeof(*c));
		if (!c) {
			close(fd);
			continue;
		}
		c->fd = fd;
		c->events = EPOLLIN;
		c->closing = false;
		c->in_len = c->out_len = c->out_off = 0;
		ev.data.ptr = c;
		if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
			close(fd);
			free(c);
			continue;
		}
		s->conns[s->nconns++] = c;
	}
}

int sw_fmp_unix_server_process(struct sw_fmp_unix_server *s, struct fm_err *err)
{
	struct epoll_event ev[SW_FMP_UNIX_MAX_CLIENTS + 1];
	int n;

	do {
		n = epoll_wait(s->epfd, ev, (int)FM_ARRAY_SIZE(ev), 0);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return fm_err_sys(err, FM_EIO, errno, "fmp server %s: epoll",
				  s->path);
	for (int i = 0; i < n; i++) {
		if (ev[i].data.ptr == NULL)
			fmp_server_accept(s);
		else
			fmp_conn_service(s, ev[i].data.ptr, ev[i].events);
	}
	return 0;
}

/*
 * Make room for our socket at @sa: a socket file nobody listens on is a
 * leftover and goes; a live server or any other file is an error.
 */
static int fmp_server_clear_path(const struct sockaddr_un *sa,
				 struct fm_err *err)
{
	struct stat st;
	int fd, ret;

	if (lstat(sa->sun_path, &st) < 0)
		return 0;
	if (!S_ISSOCK(st.st_mode))
		return fm_err_set(err, FM_EEXIST,
				  "fmp server: %s exists and is not a socket",
				  sa->sun_path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return fm_err_sys(err, FM_EIO, errno, "fmp server: socket");
	ret = connect(fd, (const struct sockaddr *)sa, sizeof(*sa));
	close(fd);
	if (ret == 0)
		return fm_err_set(err, FM_EEXIST,
				  "fmp server: %s: another server is "
				  "listening there",
				  sa->sun_path);
	if (unlink(sa->sun_path) < 0 && errno != ENOENT)
		return fm_err_sys(err, FM_EIO, errno,
				  "fmp server: cannot remove stale %s",
				  sa->sun_path);
	return 0;
}

int sw_fmp_unix_server_new(struct sw_fmp_unix_server **out, const char *path,
			   sw_fmp_handle_fn *fn, void *ctx, struct fm_err *err)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = NULL };
	struct sw_fmp_unix_server *s = NULL;
	struct sockaddr_un sa;
	struct stat st;
	bool bound = false;
	int ret;

	ret = fmp_sockaddr(&sa, path, err);
	if (ret < 0)
		return ret;
	if (!fn)
		return fm_err_set(err, FM_EINVAL, "fmp server: no handler");
	ret = fmp_server_clear_path(&sa, err);
	if (ret < 0)
		return ret;
	s = calloc(1, sizeof(*s));
	if (!s)
		return fm_err_set(err, FM_ENOMEM, "fmp server: out of memory");
	s->lfd = s->epfd = -1;
	s->fn = fn;
	s->ctx = ctx;
	memcpy(s->path, sa.sun_path, sizeof(s->path));
	s->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->lfd < 0) {
		ret = fm_err_sys(err, FM_EIO, errno, "fmp server: socket");
		goto fail;
	}
	if (bind(s->lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		ret = fm_err_sys(err, FM_EIO, errno, "fmp server: bind %s",
				 path);
		goto fail;
	}
	bound = true;
	if (stat(path, &st) < 0 || listen(s->lfd, 16) < 0) {
		ret = fm_err_sys(err, FM_EIO, errno, "fmp server: listen %s",
				 path);
		goto fail;
	}
	s->dev = st.st_dev;
	s->ino = st.st_ino;
	s->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (s->epfd < 0 || epoll_ctl(s->epfd, EPOLL_CTL_ADD, s->lfd, &ev) < 0) {
		ret = fm_err_sys(err, FM_EIO, errno, "fmp server: epoll");
		goto fail;
	}
	*out = s;
	return 0;
fail:
	if (bound)
		unlink(path);
	if (s->lfd >= 0)
		close(s->lfd);
	if (s->epfd >= 0)
		close(s->epfd);
	free(s);
	return ret;
}

void sw_fmp_unix_server_free(struct sw_fmp_unix_server *s)
{
	struct stat st;

	if (!s)
		return;
	while (s->nconns)
		fmp_conn_drop(s, s->conns[0]);
	/* remove the socket file only if it is still ours */
	if (stat(s->path, &st) == 0 && st.st_dev == s->dev &&
	    st.st_ino == s->ino)
		unlink(s->path);
	close(s->lfd);
	close(s->epfd);
	free(s);
}

int sw_fmp_unix_server_fd(const struct sw_fmp_unix_server *s)
{
	return s->epfd;
}

unsigned sw_fmp_unix_server_clients(const struct sw_fmp_unix_server *s)
{
	return s->nconns;
}

/* ---------------------------------------------------------------------
 * Client.
 */
struct sw_fmp_unix_client {
	int fd; /* -1 while disconnected */
	unsigned deadline_ms;
	uint64_t down_wall_ms; /* CLOCK_REALTIME ms when the link went down */
	char why[FM_ERR_MSG_MAX]; /* what took it down */
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	size_t have; /* bytes in buf */
	uint8_t buf[FMP_FRAME_MAX];
};

static uint64_t fmp_clock_ms(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* Close the socket: what was half-read goes with it. */
static void fmp_client_disconnect(struct sw_fmp_unix_client *c, const char *why)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->have = 0;
	c->down_wall_ms = fmp_clock_ms(CLOCK_REALTIME);
	snprintf(c->why, sizeof(c->why), "%s", why);
}

/* A new non-blocking socket connected to c->path, or -1 with errno. */
static int fmp_client_open(const struct sw_fmp_unix_client *c)
{
	struct sockaddr_un sa;
	int fd, e;

	if (fmp_sockaddr(&sa, c->path, NULL) < 0) {
		errno = ENAMETOOLONG;
		return -1;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	/* a UNIX connect never waits: it succeeds, or fails at once
	 * (EAGAIN when the listener's backlog is full) */
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

int sw_fmp_unix_client_connect(struct sw_fmp_unix_client **out,
			       const char *path, struct fm_err *err)
{
	struct sw_fmp_unix_client *c;
	struct sockaddr_un sa;
	int ret;

	ret = fmp_sockaddr(&sa, path, err);
	if (ret < 0)
		return ret;
	c = calloc(1, sizeof(*c));
	if (!c)
		return fm_err_set(err, FM_ENOMEM, "fmp client: out of memory");
	c->deadline_ms = SW_FMP_UNIX_DEADLINE_MS;
	memcpy(c->path, sa.sun_path, sizeof(c->path));
	c->fd = fmp_client_open(c);
	if (c->fd < 0) {
		ret = fm_err_sys(err, FM_EIO, errno, "fmp client: connect %s",
				 path);
		free(c);
		return ret;
	}
	*out = c;
	return 0;
}

void sw_fmp_unix_client_close(struct sw_fmp_unix_client *c)
{
	if (!c)
		return;
	if (c->fd >= 0)
		close(c->fd);
	free(c);
}

void sw_fmp_unix_client_set_deadline(struct sw_fmp_unix_client *c, unsigned ms)
{
	c->deadline_ms = ms ? ms : SW_FMP_UNIX_DEADLINE_MS;
}

bool sw_fmp_unix_client_connected(const struct sw_fmp_unix_client *c)
{
	return c->fd >= 0;
}

const char *sw_fmp_unix_client_down_reason(const struct sw_fmp_unix_client *c)
{
	return c->fd >= 0 ? NULL : c->why;
}

int sw_fmp_unix_client_reconnect(struct sw_fmp_unix_client *c,
				 struct fm_err *err)
{
	int fd;

	if (c->fd >= 0)
		return 0;
	fd = fmp_client_open(c);
	if (fd < 0)
		return fm_err_sys(err, FM_EUNAVAIL, errno,
				  "fmp client: reconnect %s", c->path);
	c->fd = fd;
	c->have = 0;
	return 0;
}

void sw_fmp_unix_client_transport(struct sw_fmp_transport *out,
				  struct sw_fmp_unix_client *c)
{
	out->transact = sw_fmp_unix_client_transact;
	out->ctx = c;
}

/* Disconnect and report: every failure leaves the stream unusable. */
static int fmp_client_fail(struct sw_fmp_unix_client *c, struct fm_err *err,
			   int code, int errnum, const char *what)
{
	char why[FM_ERR_MSG_MAX];

	if (code == FM_ETIMEDOUT)
		snprintf(why, sizeof(why), "no response within %u ms",
			 c->deadline_ms);
	else if (errnum)
		snprintf(why, sizeof(why), "%s: %s", what, strerror(errnum));
	else
		snprintf(why, sizeof(why), "%s", what);
	fmp_client_disconnect(c, why);
	return fm_err_set(err, code, "fmp client: %s: %s", c->path, why);
}

/* The failure of a call made while disconnected: at once, no I/O. */
static int fmp_client_down(const struct sw_fmp_unix_client *c,
			   struct fm_err *err)
{
	time_t secs = (time_t)(c->down_wall_ms / 1000u);
	char when[32];
	struct tm tm;

	gmtime_r(&secs, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
	return fm_err_set(err, FM_EUNAVAIL,
			  "switch unreachable since %s.%03uZ (%s): fmp client "
			  "%s is disconnected",
			  when, (unsigned)(c->down_wall_ms % 1000u), c->why,
			  c->path);
}

/*
 * Wait until c->fd is ready for @events or @end (CLOCK_MONOTONIC ms)
 * passes: 0 when ready, -FM_ETIMEDOUT, -FM_EIO (errno set).
 */
static int fmp_client_wait(const struct sw_fmp_unix_client *c, short events,
			   uint64_t end)
{
	struct pollfd pfd = { .fd = c->fd, .events = events };
	uint64_t now;
	int n;

	for (;;) {
		now = fmp_clock_ms(CLOCK_MONOTONIC);
		if (now >= end)
			return -FM_ETIMEDOUT;
		n = poll(&pfd, 1, (int)(end - now));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -FM_EIO;
		if (n > 0)
			return 0; /* ready, or an error the next call reports */
	}
}

int sw_fmp_unix_client_transact(void *ctx, uint8_t *rsp, size_t *rsp_len,
				const uint8_t *req, size_t req_len,
				struct fm_err *err)
{
	struct sw_fmp_unix_client *c = ctx;
	uint8_t frame[FMP_FRAME_MAX];
	size_t off = 0, total = SW_FMP_FRAME_HDR + req_len;
	uint64_t end;
	uint32_t flen;
	ssize_t n;
	int ret;

	if (c->fd < 0)
		return fmp_client_down(c, err);
	if (req_len > SW_FMP_MAX_MSG)
		return fm_err_set(err, FM_EINVAL,
				  "fmp client: message of %zu bytes exceeds "
				  "%u",
				  req_len, SW_FMP_MAX_MSG);
	end = fmp_clock_ms(CLOCK_MONOTONIC) + c->deadline_ms;
	fmp_put_le32(frame, (uint32_t)req_len);
	memcpy(frame + SW_FMP_FRAME_HDR, req, req_len);
	while (off < total) {
		n = send(c->fd, frame + off, total - off,
			 MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n >= 0) {
			off += (size_t)n;
			continue;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return fmp_client_fail(c, err, FM_EIO, errno, "send");
		ret = fmp_client_wait(c, POLLOUT, end);
		if (ret < 0)
			return fmp_client_fail(c, err, -ret,
					       ret == -FM_EIO ? errno : 0,
					       "poll");
	}
	for (;;) {
		if (c->have >= SW_FMP_FRAME_HDR) {
			flen = fmp_le32(c->buf);
			if (flen > SW_FMP_MAX_MSG)
				return fmp_client_fail(c, err, FM_EPARSE, 0,
						       "response frame too "
						       "long");
			if (c->have >= SW_FMP_FRAME_HDR + flen)
				break;
		}
		n = recv(c->fd, c->buf + c->have, sizeof(c->buf) - c->have,
			 MSG_DONTWAIT);
		if (n > 0) {
			c->have += (size_t)n;
			continue;
		}
		if (n == 0)
			return fmp_client_fail(c, err, FM_EIO, 0,
					       "server closed the connection");
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return fmp_client_fail(c, err, FM_EIO, errno, "recv");
		ret = fmp_client_wait(c, POLLIN, end);
		if (ret < 0)
			return fmp_client_fail(c, err, -ret,
					       ret == -FM_EIO ? errno : 0,
					       "poll");
	}
	memcpy(rsp, c->buf + SW_FMP_FRAME_HDR, flen);
	*rsp_len = flen;
	c->have -= SW_FMP_FRAME_HDR + flen;
	if (c->have)
		memmove(c->buf, c->buf + SW_FMP_FRAME_HDR + flen, c->have);
	return 0;
}
