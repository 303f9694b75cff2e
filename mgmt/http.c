/* SPDX-License-Identifier: MIT */
/*
 * http.c - mrfabricd's HTTP server: libmicrohttpd in external-polling
 * epoll mode inside the daemon's event loop.  The only file that
 * includes <microhttpd.h>; see http_int.h.
 *
 * libmicrohttpd calls the access handler several times per request:
 * once when the headers are in (per-request state is created in
 * *req_cls), once per piece of body (kept up to the body cap, counted
 * past it), and once at the end, when the request goes to the router and
 * the response is queued (copied: the router's body is freed right
 * after).  The completed callback frees the per-request state.
 *
 * The loop drives MHD through MHD's epoll descriptor (readable whenever
 * MHD has work) and a timer armed to MHD_get_timeout() after each
 * MHD_run().  Streams (SSE) suspend their connection while they have
 * nothing to send and resume it when written to.
 */
#include "mgmt/http_int.h"

#include <arpa/inet.h>
#include <assert.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "fabric/pcie.h"
#include "mgmt/store.h"

#define HTTP_BODY_CHUNK 4096
#define HTTP_STREAM_BLOCK 4096
#define HTTP_ERR_MAX 256
#define HTTP_OPTS_MAX 8 /* MHD_OPTION_ARRAY items, with the end */

struct mgmt_stream {
	struct mgmt_http *h;
	struct MHD_Connection *conn;
	char *buf; /* queued bytes [off, len) */
	size_t off;
	size_t len;
	size_t cap;
	bool ended;	/* no more writes: end once drained */
	bool suspended; /* waiting for a write */
	bool closed;	/* the connection is gone */
	unsigned refs;	/* the request's and the response's */
	mgmt_stream_fn *close;
	void *arg;
	struct mgmt_stream *prev, *next; /* the server's live streams */
};

struct mgmt_http {
	struct MHD_Daemon *d;
	struct mgmt_loop *loop;
	const struct mgmt_router *router;
	struct mgmt_ctx *ctx;
	struct mgmt_timer timer; /* MHD's next timeout */
	int fd;			 /* MHD's epoll descriptor */
	uint16_t port;
	uint32_t body_max;
	struct mgmt_stream *streams;
	struct http_req *held; /* answers waiting for the store's commit */
	char last_error[HTTP_ERR_MAX]; /* MHD's last log message */
};

/* Per-request state, in *req_cls. */
struct http_req {
	char *body;
	size_t len; /* bytes kept */
	size_t cap;
	size_t received; /* bytes received, kept or not */
	bool too_large;	 /* past the cap: nothing more is kept */
	struct mgmt_stream *stream;
	/* an answer held until the store's round is durable (http_hold) */
	struct mgmt_resp held;
	bool holding;
	bool lost; /* the round's commit failed: no answer */
	struct MHD_Connection *conn;
	struct http_req *hold_next;
};

/* ---------------------------------------------------------------------
 * Streams
 */
static void stream_put(struct mgmt_stream *s)
{
	if (--s->refs)
		return;
	free(s->buf);
	free(s);
}

static void stream_resume(struct mgmt_stream *s)
{
	if (!s->suspended)
		return;
	s->suspended = false;
	MHD_resume_connection(s->conn);
	/* MHD_resume_connection() needs an MHD_run() to take effect */
	mgmt_timer_start(s->h->loop, &s->h->timer, 0, NULL);
}

int mgmt_stream_write(struct mgmt_stream *s, const char *buf, size_t len,
		      struct fm_err *err)
{
	size_t pending = s->len - s->off;

	if (s->ended || s->closed)
		return fm_err_set(err, FM_ESTATE, "stream: already ended");
	if (pending + len > MGMT_STREAM_BUF_MAX) {
		mgmt_stream_end(s);
		return fm_err_set(err, FM_ENOSPC,
				  "stream: client too slow, %zu bytes "
				  "unsent: ended",
				  pending);
	}
	if (s->off) {
		memmove(s->buf, s->buf + s->off, pending);
		s->off = 0;
		s->len = pending;
	}
	if (s->len + len > s->cap) {
		size_t cap = s->cap ? s->cap : HTTP_STREAM_BLOCK;
		char *b;

		while (cap < s->len + len)
			cap *= 2;
		b = realloc(s->buf, cap);
		if (!b)
			return fm_err_set(err, FM_ENOMEM,
					  "stream: out of memory");
		s->buf = b;
		s->cap = cap;
	}
	memcpy(s->buf + s->len, buf, len);
	s->len += len;
	stream_resume(s);
	return 0;
}

void mgmt_stream_end(struct mgmt_stream *s)
{
	s->ended = true;
	stream_resume(s);
}

static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct mgmt_stream *s = cls;
	size_t n = s->len - s->off;

	(void)pos;
	if (n) {
		if (n > max)
			n = max;
		memcpy(buf, s->buf + s->off, n);
		s->off += n;
		return (ssize_t)n;
	}
	if (s->ended)
		return MHD_CONTENT_READER_END_OF_STREAM;
	/* nothing to send: sleep until mgmt_stream_write() */
	s->suspended = true;
	MHD_suspend_connection(s->conn);
	return 0;
}

static void stream_response_done(void *cls)
{
	stream_put(cls);
}

/* The request behind stream @s ended: tell its owner, once. */
static void stream_close(struct mgmt_stream *s)
{
	struct mgmt_http *h = s->h;

	if (s->closed)
		return;
	s->closed = true;
	if (s->prev)
		s->prev->next = s->next;
	else
		h->streams = s->next;
	if (s->next)
		s->next->prev = s->prev;
	if (s->close)
		s->close(s->arg, s);
	stream_put(s);
}

/* ---------------------------------------------------------------------
 * Requests
 */
struct http_kv_list {
	struct mgmt_kv *kv;
	size_t n;
	size_t max;
};

static enum MHD_Result http_collect(void *cls, enum MHD_ValueKind kind,
				    const char *key, const char *value)
{
	struct http_kv_list *l = cls;

	(void)kind;
	if (l->n < l->max) {
		l->kv[l->n].name = key;
		l->kv[l->n].value = value ? value : "";
		l->n++;
	}
	return MHD_YES;
}

/* All values of @kind of @conn; *out is the caller's to free(). */
static int http_values(struct mgmt_kv **out, size_t *n,
		       struct MHD_Connection *conn, enum MHD_ValueKind kind)
{
	struct http_kv_list l = { NULL, 0, 0 };
	int count = MHD_get_connection_values(conn, kind, NULL, NULL);

	*out = NULL;
	*n = 0;
	if (count <= 0)
		return 0;
	l.kv = calloc((size_t)count, sizeof(*l.kv));
	if (!l.kv)
		return -FM_ENOMEM;
	l.max = (size_t)count;
	MHD_get_connection_values(conn, kind, http_collect, &l);
	*out = l.kv;
	*n = l.n;
	return 0;
}

static void http_peer(char *out, size_t len, struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(
		conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci ? ci->client_addr : NULL;

	snprintf(out, len, "?");
	if (sa && sa->sa_family == AF_INET)
		inet_ntop(AF_INET,
			  &((const struct sockaddr_in *)(const void *)sa)
				   ->sin_addr,
			  out, (socklen_t)len);
	else if (sa && sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6,
			  &((const struct sockaddr_in6 *)(const void *)sa)
				   ->sin6_addr,
			  out, (socklen_t)len);
}

/* Keep one piece of body, up to the cap; past it only count. */
static int http_body_append(struct mgmt_http *h, struct http_req *hr,
			    const char *data, size_t n)
{
	hr->received += n;
	if (hr->too_large)
		return 0;
	if (hr->received > h->body_max) {
		hr->too_large = true;
		free(hr->body);
		hr->body = NULL;
		hr->len = hr->cap = 0;
		return 0;
	}
	if (hr->len + n > hr->cap) {
		size_t cap = hr->cap ? hr->cap : HTTP_BODY_CHUNK;
		char *b;

		while (cap < hr->len + n)
			cap *= 2;
		b = realloc(hr->body, cap);
		if (!b)
			return -FM_ENOMEM;
		hr->body = b;
		hr->cap = cap;
	}
	memcpy(hr->body + hr->len, data, n);
	hr->len += n;
	return 0;
}

static enum MHD_Result http_queue(struct MHD_Connection *conn,
				  struct mgmt_http *h, struct http_req *hr,
				  const struct mgmt_resp *resp)
{
	struct mgmt_stream *s = NULL;
	struct MHD_Response *r;
	enum MHD_Result ret;
	size_t i;

	if (resp->stream_open) {
		s = calloc(1, sizeof(*s));
		if (!s)
			return MHD_NO;
		s->h = h;
		s->conn = conn;
		s->close = resp->stream_close;
		s->arg = resp->stream_arg;
		s->refs = 1; /* the response's */
		r = MHD_create_response_from_callback(
			MHD_SIZE_UNKNOWN, HTTP_STREAM_BLOCK, stream_read, s,
			stream_response_done);
		if (!r) {
			free(s);
			return MHD_NO;
		}
	} else {
		r = MHD_create_response_from_buffer(resp->body_len,
						    (void *)resp->body,
						    MHD_RESPMEM_MUST_COPY);
		if (!r)
			return MHD_NO;
	}
	for (i = 0; i < resp->nheaders; i++) {
		if (MHD_add_response_header(r, resp->headers[i].name,
					    resp->headers[i].value) != MHD_YES)
			FM_LOG(FM_LOG_WARN, "http: header %s refused",
			       resp->headers[i].name);
	}
	ret = MHD_queue_response(conn, resp->status, r);
	MHD_destroy_response(r);
	if (ret != MHD_YES || !s)
		return ret;
	/* a stream lives as long as its connection: no idle timeout */
	MHD_set_connection_option(conn, MHD_CONNECTION_OPTION_TIMEOUT, 0u);
	s->refs++; /* the request's, dropped by stream_close() */
	hr->stream = s;
	s->next = h->streams;
	if (h->streams)
		h->streams->prev = s;
	h->streams = s;
	resp->stream_open(resp->stream_arg, s);
	return MHD_YES;
}

/*
 * Group commit (mgmt/durable.h): the answer to a mutating request, or
 * any answer while a flush is asked (it may show a finished task), waits
 * until the store's open round is durable.  True when it must.
 */
static bool http_must_hold(const struct mgmt_http *h, const char *method)
{
	const struct mgmt_store *st = h->ctx->store;

	if (!mgmt_store_pending(st))
		return false;
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
		return true;
	return mgmt_store_flush_requested(st);
}

/*
 * Keep @resp (its body moves along) and suspend @conn until the commit
 * at the end of this loop iteration; MHD calls http_access() again once
 * it is resumed (http_store_news), which then sends it.
 */
static void http_hold(struct mgmt_http *h, struct MHD_Connection *conn,
		      struct http_req *hr, struct mgmt_resp *resp)
{
	hr->held = *resp;
	hr->holding = true;
	hr->lost = false;
	hr->conn = conn;
	hr->hold_next = h->held;
	h->held = hr;
	mgmt_store_flush_request(h->ctx->store);
	MHD_suspend_connection(conn);
}

static void http_unhold(struct mgmt_http *h, struct http_req *hr)
{
	struct http_req **p;

	for (p = &h->held; *p; p = &(*p)->hold_next) {
		if (*p == hr) {
			*p = hr->hold_next;
			break;
		}
	}
	hr->hold_next = NULL;
}

/* Send the held answer: the round it waited for is durable, or lost. */
static enum MHD_Result http_release(struct mgmt_http *h,
				    struct MHD_Connection *conn,
				    struct http_req *hr)
{
	enum MHD_Result ret = MHD_NO; /* lost: close without an answer */

	hr->holding = false;
	if (!hr->lost)
		ret = http_queue(conn, h, hr, &hr->held);
	mgmt_resp_fini(&hr->held);
	return ret;
}

/* The store's news: a commit (or its failure) frees the held answers. */
static void http_store_news(void *ctx, enum mgmt_store_news what)
{
	struct mgmt_http *h = ctx;
	struct http_req *hr;

	if ((what != MGMT_STORE_COMMITTED && what != MGMT_STORE_ABORTED) ||
	    !h->held)
		return;
	while ((hr = h->held)) {
		h->held = hr->hold_next;
		hr->hold_next = NULL;
		hr->lost = what == MGMT_STORE_ABORTED;
		MHD_resume_connection(hr->conn);
	}
	/* MHD_resume_connection() needs an MHD_run() to take effect */
	mgmt_timer_start(h->loop, &h->timer, 0, NULL);
}

static enum MHD_Result http_answer(struct mgmt_http *h,
				   struct MHD_Connection *conn,
				   struct http_req *hr, const char *url,
				   const char *method)
{
	struct mgmt_kv *headers = NULL, *query = NULL;
	struct mgmt_req req = { 0 };
	struct mgmt_resp resp;
	enum MHD_Result ret = MHD_NO;
	char peer[INET6_ADDRSTRLEN];

	if (http_values(&headers, &req.nheaders, conn, MHD_HEADER_KIND) < 0 ||
	    http_values(&query, &req.nquery, conn, MHD_GET_ARGUMENT_KIND) < 0)
		goto out;
	http_peer(peer, sizeof(peer), conn);
	req.method = method;
	req.path = url;
	req.headers = headers;
	req.query = query;
	req.body = hr->too_large ? NULL : hr->body;
	req.body_len = hr->received;
	req.peer = peer;
	mgmt_router_dispatch(&resp, h->router, h->ctx, &req);
	FM_LOG(FM_LOG_DEBUG, "http %s: %s %s: %u", peer, method, url,
	       resp.status);
	if (http_must_hold(h, method)) {
		http_hold(h, conn, hr, &resp);
		ret = MHD_YES;
		goto out;
	}
	ret = http_queue(conn, h, hr, &resp);
	mgmt_resp_fini(&resp);
out:
	free(headers);
	free(query);
	return ret;
}

static enum MHD_Result http_access(void *cls, struct MHD_Connection *conn,
				   const char *url, const char *method,
				   const char *version, const char *upload_data,
				   size_t *upload_data_size, void **req_cls)
{
	struct mgmt_http *h = cls;
	struct http_req *hr = *req_cls;
	const char *cl;

	(void)version;
	if (!hr) {
		hr = calloc(1, sizeof(*hr));
		if (!hr)
			return MHD_NO;
		*req_cls = hr;
		/* refuse a declared oversized body before it is sent: the
		 * rest of it is discarded and the connection closed */
		cl = MHD_lookup_connection_value(
			conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (cl && strtoull(cl, NULL, 10) > h->body_max) {
			hr->too_large = true;
			hr->received = (size_t)strtoull(cl, NULL, 10);
			return http_answer(h, conn, hr, url, method);
		}
		return MHD_YES;
	}
	if (*upload_data_size) {
		if (http_body_append(h, hr, upload_data, *upload_data_size) < 0)
			return MHD_NO;
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (hr->holding)
		return http_release(h, conn, hr);
	return http_answer(h, conn, hr, url, method);
}

static void http_completed(void *cls, struct MHD_Connection *conn,
			   void **req_cls, enum MHD_RequestTerminationCode toe)
{
	struct http_req *hr = *req_cls;

	(void)conn;
	(void)toe;
	if (!hr)
		return;
	if (hr->holding) {
		http_unhold(cls, hr);
		mgmt_resp_fini(&hr->held);
	}
	if (hr->stream)
		stream_close(hr->stream);
	free(hr->body);
	free(hr);
	*req_cls = NULL;
}

static void http_log(void *cls, const char *fmt, va_list ap)
{
	struct mgmt_http *h = cls;
	size_t n;

	vsnprintf(h->last_error, sizeof(h->last_error), fmt, ap);
	n = strcspn(h->last_error, "\n");
	h->last_error[n] = '\0';
	FM_LOG(FM_LOG_DEBUG, "http: libmicrohttpd: %s", h->last_error);
}

/* ---------------------------------------------------------------------
 * The loop's side
 */
static void http_run(struct mgmt_http *h)
{
	MHD_UNSIGNED_LONG_LONG ms;

	MHD_run(h->d);
	if (MHD_get_timeout(h->d, &ms) == MHD_YES)
		mgmt_timer_start(h->loop, &h->timer,
				 (uint64_t)ms * FAB_NS_PER_MS, NULL);
	else
		mgmt_timer_stop(h->loop, &h->timer);
}

static void http_on_ready(void *ctx, int fd, unsigned events)
{
	(void)fd;
	(void)events;
	http_run(ctx);
}

static void http_on_timer(void *ctx)
{
	http_run(ctx);
}

/* Append one MHD_OPTION_ARRAY item. */
static void http_opt(struct MHD_OptionItem *opts, unsigned *n,
		     enum MHD_OPTION option, intptr_t value, void *ptr)
{
	assert(*n < HTTP_OPTS_MAX);
	opts[*n].option = option;
	opts[*n].value = value;
	opts[*n].ptr_value = ptr;
	(*n)++;
}

static int http_sockaddr(struct sockaddr_storage *ss, bool *v6,
			 const struct mgmt_config *cfg, struct fm_err *err)
{
	struct sockaddr_in *in4 = (struct sockaddr_in *)(void *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)(void *)ss;

	memset(ss, 0, sizeof(*ss));
	*v6 = false;
	if (inet_pton(AF_INET, cfg->listen_address, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons(cfg->listen_port);
		return 0;
	}
	if (inet_pton(AF_INET6, cfg->listen_address, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(cfg->listen_port);
		*v6 = true;
		return 0;
	}
	return fm_err_set(err, FM_EINVAL,
			  "http: \"%s\" is not an IPv4 or IPv6 address",
			  cfg->listen_address);
}

int mgmt_http_new(struct mgmt_http **out, struct mgmt_loop *loop,
		  const struct mgmt_router *router, struct mgmt_ctx *ctx,
		  struct fm_err *err)
{
	return mgmt_http_new_tls(out, loop, router, ctx, NULL, err);
}

int mgmt_http_new_tls(struct mgmt_http **out, struct mgmt_loop *loop,
		      const struct mgmt_router *router, struct mgmt_ctx *ctx,
		      const struct mgmt_http_tls *tls, struct fm_err *err)
{
	const struct mgmt_config *cfg = ctx->cfg;
	const union MHD_DaemonInfo *info;
	struct MHD_OptionItem opts[HTTP_OPTS_MAX];
	struct sockaddr_storage ss;
	struct mgmt_http *h;
	unsigned flags, n = 0;
	bool v6;
	int ret;

	h = calloc(1, sizeof(*h));
	if (!h)
		return fm_err_set(err, FM_ENOMEM, "http: out of memory");
	h->loop = loop;
	h->router = router;
	h->ctx = ctx;
	h->fd = -1;
	h->body_max = cfg->body_max;
	mgmt_timer_init(&h->timer, http_on_timer, h);
	ret = http_sockaddr(&ss, &v6, cfg, err);
	if (ret < 0)
		goto fail;
	/* issue 5: plain HTTP never faces a network */
	if (!tls && !mgmt_addr_is_loopback(cfg->listen_address)) {
		ret = fm_err_set(err, FM_EINVAL,
				 "http: plain HTTP on %s refused: only a "
				 "loopback address may serve without TLS",
				 cfg->listen_address);
		goto fail;
	}
	if (tls && MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
		ret = fm_err_set(err, FM_EUNSUPP,
				 "http: libmicrohttpd was built without TLS");
		goto fail;
	}
	/* one thread: no internal polling thread, MHD's own epoll set */
	flags = MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
	if (v6)
		flags |= MHD_USE_IPv6;
	if (tls) {
		flags |= MHD_USE_TLS;
		http_opt(opts, &n, MHD_OPTION_HTTPS_MEM_CERT, 0,
			 (void *)(uintptr_t)tls->cert_pem);
		http_opt(opts, &n, MHD_OPTION_HTTPS_MEM_KEY, 0,
			 (void *)(uintptr_t)tls->key_pem);
	}
	if (cfg->connection_limit)
		http_opt(opts, &n, MHD_OPTION_CONNECTION_LIMIT,
			 cfg->connection_limit, NULL);
	if (cfg->connection_limit_per_address)
		http_opt(opts, &n, MHD_OPTION_PER_IP_CONNECTION_LIMIT,
			 cfg->connection_limit_per_address, NULL);
	http_opt(opts, &n, MHD_OPTION_END, 0, NULL);
	/* the logger first, so that MHD logs nothing on its own */
	h->d = MHD_start_daemon(
		flags, cfg->listen_port, NULL, NULL, http_access, h,
		MHD_OPTION_EXTERNAL_LOGGER, http_log, h, MHD_OPTION_SOCK_ADDR,
		(struct sockaddr *)&ss, MHD_OPTION_CONNECTION_TIMEOUT,
		(unsigned)cfg->connection_timeout_s,
		MHD_OPTION_NOTIFY_COMPLETED, http_completed, h,
		MHD_OPTION_ARRAY, opts, MHD_OPTION_END);
	if (!h->d) {
		ret = fm_err_set(err, FM_EIO,
				 "http: cannot listen on %s%s%s:%u%s%s",
				 v6 ? "[" : "", cfg->listen_address,
				 v6 ? "]" : "", (unsigned)cfg->listen_port,
				 h->last_error[0] ? ": " : "", h->last_error);
		goto fail;
	}
	info = MHD_get_daemon_info(h->d, MHD_DAEMON_INFO_BIND_PORT);
	h->port = info ? info->port : cfg->listen_port;
	info = MHD_get_daemon_info(h->d, MHD_DAEMON_INFO_EPOLL_FD);
	if (!info || info->epoll_fd < 0) {
		ret = fm_err_set(err, FM_EIO, "http: no epoll descriptor");
		goto fail;
	}
	ret = mgmt_loop_io_add(loop, info->epoll_fd, MGMT_IO_IN, http_on_ready,
			       h, err);
	if (ret < 0)
		goto fail;
	h->fd = info->epoll_fd;
	/* group commit: held answers leave when the store commits */
	if (ctx->store) {
		ret = mgmt_store_watch(ctx->store, http_store_news, h, err);
		if (ret < 0)
			goto fail;
	}
	http_run(h);
	*out = h;
	return 0;
fail:
	mgmt_http_free(h);
	return ret;
}

void mgmt_http_free(struct mgmt_http *h)
{
	struct mgmt_stream *s;

	if (!h)
		return;
	if (h->fd >= 0)
		mgmt_loop_io_remove(h->loop, h->fd);
	if (h->d) {
		/* MHD must not be stopped with suspended connections: held
		 * answers go once what they wait for is durable */
		if (h->held && mgmt_store_flush(h->ctx->store, NULL) < 0)
			http_store_news(h, MGMT_STORE_ABORTED);
		for (s = h->streams; s; s = s->next)
			mgmt_stream_end(s);
		MHD_run(h->d);
		MHD_stop_daemon(h->d);
	}
	/* after the streams: ending one arms the timer */
	mgmt_timer_stop(h->loop, &h->timer);
	if (h->ctx && h->ctx->store)
		mgmt_store_unwatch(h->ctx->store, http_store_news, h);
	free(h);
}

uint16_t mgmt_http_port(const struct mgmt_http *h)
{
	return h->port;
}
