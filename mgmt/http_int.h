/* SPDX-License-Identifier: MIT */
/*
 * http_int.h - the HTTP server of mrfabricd: libmicrohttpd driven by the
 * daemon's event loop (one thread, external polling through MHD's epoll
 * descriptor), turning each request into a struct mgmt_req for the
 * router and each struct mgmt_resp into the reply.  http.c is the only
 * file that sees libmicrohttpd.
 */
#ifndef MRFABRIC_MGMT_HTTP_INT_H
#define MRFABRIC_MGMT_HTTP_INT_H

#include <stdint.h>

#include "fabric/fm.h"
#include "mgmt/mgmt.h"
#include "mgmt/router_int.h"

struct mgmt_http;

/*
 * Listen on ctx->cfg's address and port and answer requests with
 * @router, handlers getting @ctx (both borrowed, outliving the server).
 * The server registers its descriptor and timer with @loop; requests are
 * answered as the loop runs.  Request bodies above cfg->body_max are not
 * kept (413); connections idle for cfg->connection_timeout_s are closed.
 * Returns 0, -FM_EINVAL (bad address), -FM_EIO (cannot listen: the
 * message says why), -FM_ENOMEM.
 */
int mgmt_http_new(struct mgmt_http **out, struct mgmt_loop *loop,
		  const struct mgmt_router *router, struct mgmt_ctx *ctx,
		  struct fm_err *err);

/* A TLS certificate chain and its private key, PEM, NUL-terminated. */
struct mgmt_http_tls {
	const char *cert_pem;
	const char *key_pem;
};

/*
 * mgmt_http_new() serving HTTPS with @tls (borrowed for the call only:
 * MHD keeps its own copy), or plain HTTP when @tls is NULL.  Plain HTTP
 * is refused on an address that is not loopback (-FM_EINVAL naming it).
 * Both also apply cfg->connection_limit (all connections) and
 * cfg->connection_limit_per_address (from one client address) when not
 * 0: connections past either are closed at once.  -FM_EUNSUPP when
 * libmicrohttpd was built without TLS.
 */
int mgmt_http_new_tls(struct mgmt_http **out, struct mgmt_loop *loop,
		      const struct mgmt_router *router, struct mgmt_ctx *ctx,
		      const struct mgmt_http_tls *tls, struct fm_err *err);
/*
 * Close every connection (open streams get their close callback) and
 * stop listening.  NULL is fine.
 */
void mgmt_http_free(struct mgmt_http *h);
/* The port listened on (the one chosen when the configuration said 0). */
uint16_t mgmt_http_port(const struct mgmt_http *h);

#endif
