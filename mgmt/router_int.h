/* SPDX-License-Identifier: MIT */
/*
 * router_int.h - Redfish requests and responses as plain structs, the
 * route table, and the one dispatcher that runs the checks every request
 * shares before a resource handler sees it.
 *
 * Handlers never see the HTTP library: the HTTP layer (http.c) turns a
 * request into a struct mgmt_req, calls mgmt_router_dispatch(), and sends
 * the struct mgmt_resp it gets back.  Tests call the dispatcher, or a
 * handler, with structs of their own.
 *
 * Adding a resource family (Zones, Tasks, ...): write mgmt/res_<family>.c
 * with a route table fragment and its handlers, export it with
 * MGMT_ROUTE_SET(), declare it below next to the others, and list it in
 * router.c's mgmt_route_sets[].  ServiceRoot links, the odata service
 * document, $metadata and the Link header all follow from the table.
 */
#ifndef MRFABRIC_MGMT_ROUTER_INT_H
#define MRFABRIC_MGMT_ROUTER_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fabric/fm.h"
#include "mgmt/mgmt.h"

struct json_object;
struct mgmt_events;
struct mgmt_fabric;
struct mgmt_store;
struct sw_fmp_client;

/* Methods a route can serve.  HEAD is GET without the body. */
enum mgmt_method {
	MGMT_GET = 0,
	MGMT_POST,
	MGMT_PATCH,
	MGMT_PUT,
	MGMT_DELETE,
	MGMT_METHOD_COUNT
};

/* "GET", ...; NULL out of range. */
const char *mgmt_method_name(enum mgmt_method m);

/*
 * Redfish privileges (DSP0266 "Privilege model", Privileges.v1 schema):
 * each method of a route requires one.  The zero value is LOGIN, so a
 * method nobody thought about still requires an authenticated user;
 * MGMT_PRIV_NONE (no authentication at all) is written out explicitly,
 * and DSP0266 allows it only for /redfish, the service root, $metadata
 * and the odata document.
 */
enum mgmt_priv {
	MGMT_PRIV_LOGIN = 0,
	MGMT_PRIV_CONFIGURE_COMPONENTS,
	MGMT_PRIV_CONFIGURE_MANAGER,
	MGMT_PRIV_CONFIGURE_USERS,
	MGMT_PRIV_CONFIGURE_SELF,
	MGMT_PRIV_NONE,
	MGMT_PRIV_COUNT
};
#define MGMT_PRIV_BIT(p) (1u << (p))
/* Every privilege of the Redfish Administrator role. */
#define MGMT_PRIV_ALL                                                          \
	(MGMT_PRIV_BIT(MGMT_PRIV_LOGIN) |                                      \
	 MGMT_PRIV_BIT(MGMT_PRIV_CONFIGURE_COMPONENTS) |                       \
	 MGMT_PRIV_BIT(MGMT_PRIV_CONFIGURE_MANAGER) |                          \
	 MGMT_PRIV_BIT(MGMT_PRIV_CONFIGURE_USERS) |                            \
	 MGMT_PRIV_BIT(MGMT_PRIV_CONFIGURE_SELF))

/* Redfish PrivilegeType ("ConfigureComponents", "NoAuth" for NONE),
 * NULL out of range. */
const char *mgmt_priv_name(enum mgmt_priv p);

/* A name and a value (headers, query arguments, path parameters). */
struct mgmt_kv {
	const char *name;
	const char *value;
};

#define MGMT_URI_MAX 512  /* longest path served; longer ones get 404 */
#define MGMT_MAX_PARAMS 8 /* {name} segments in one path pattern */
#define MGMT_USER_MAX 64

/* Who sent a request, as the authentication hook established it. */
struct mgmt_principal {
	char user[MGMT_USER_MAX]; /* account name, "" when anonymous */
	uint32_t privs;		  /* MGMT_PRIV_BIT() of what it holds */
};

struct mgmt_route;

/*
 * A request.  The caller (the HTTP layer, a test) fills the first group;
 * the dispatcher copies it and fills the second group for the handler.
 * Every pointer is borrowed for the duration of the dispatch.
 */
struct mgmt_req {
	const char *method;	     /* "GET", ... as received */
	const char *path;	     /* decoded path, no query */
	const struct mgmt_kv *query; /* decoded query arguments */
	size_t nquery;
	const struct mgmt_kv *headers; /* names compare case-insensitively */
	size_t nheaders;
	/* as received, not NUL-terminated; NULL when body_len is above
	 * the body cap (the HTTP layer did not keep a body it refuses) */
	const char *body;
	size_t body_len;
	const char *peer; /* client address for logs, NULL if unknown */

	/* filled by the dispatcher */
	enum mgmt_method m;
	const struct mgmt_route *route;
	const char *uri; /* the canonical URI: path without trailing '/' */
	struct mgmt_kv params[MGMT_MAX_PARAMS]; /* {name} -> segment */
	size_t nparams;
	const struct json_object *json; /* POST/PATCH/PUT body: an object,
					   NULL when the body is empty */
	const struct mgmt_principal *who;
	char buf[2 * MGMT_URI_MAX]; /* storage of uri and params */
};

/* Value of header @name (case-insensitive), NULL when absent. */
const char *mgmt_req_header(const struct mgmt_req *req, const char *name);
/* Value of path parameter @name ("zone" for "{zone}"), NULL when none. */
const char *mgmt_req_param(const struct mgmt_req *req, const char *name);

#define MGMT_RESP_HEADERS 12
#define MGMT_HEADER_NAME_MAX 32
#define MGMT_HEADER_MAX 512

struct mgmt_resp_header {
	char name[MGMT_HEADER_NAME_MAX];
	char value[MGMT_HEADER_MAX];
};

/*
 * A stream: a response whose body is written after it started (SSE).
 * Implemented by the HTTP layer.
 */
struct mgmt_stream;
typedef void mgmt_stream_fn(void *arg, struct mgmt_stream *s);

/*
 * A response.  A handler sets status and one body: @json (a reference it
 * hands over) or @text (heap bytes it hands over, with @content_type), or
 * a stream (mgmt_resp_set_stream()).  It may add headers (Location).  The
 * dispatcher serialises the body into @body/@body_len and adds the common
 * headers; everything is released by mgmt_resp_fini().
 */
struct mgmt_resp {
	unsigned status; /* 0 after a handler: 200, or 204 without body */
	struct json_object *json;
	char *text;
	size_t text_len;
	const char *content_type; /* of @text (a string literal) */
	struct mgmt_resp_header headers[MGMT_RESP_HEADERS];
	size_t nheaders;
	/* after dispatch: the bytes to send, owned by @json or @text */
	const char *body;
	size_t body_len;
	/* a stream: @stream_open(arg, s) once the headers are on their way,
	 * @stream_close(arg, s) when the connection ends, either way */
	mgmt_stream_fn *stream_open;
	mgmt_stream_fn *stream_close;
	void *stream_arg;
};

void mgmt_resp_init(struct mgmt_resp *resp);
/* Release the body; @resp can be initialised again. */
void mgmt_resp_fini(struct mgmt_resp *resp);
/*
 * Add header @name, or replace its value.  -FM_ENOSPC when the table is
 * full, -FM_ERANGE when the name or value is too long.
 */
int mgmt_resp_header_set(struct mgmt_resp *resp, const char *name,
			 const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Value of response header @name (case-insensitive), NULL if absent. */
const char *mgmt_resp_header(const struct mgmt_resp *resp, const char *name);
/* Replace the body with @json (the reference is taken) and set @status. */
void mgmt_resp_set_json(struct mgmt_resp *resp, unsigned status,
			struct json_object *json);
/* Replace the body with a copy of @text.  -FM_ENOMEM. */
int mgmt_resp_set_text(struct mgmt_resp *resp, unsigned status,
		       const char *content_type, const char *text, size_t len,
		       struct fm_err *err);
/*
 * Make the response a stream of @content_type ("text/event-stream"):
 * status 200, no body; @open and @close (may be NULL) are called by the
 * HTTP layer with @arg as described above.
 */
void mgmt_resp_set_stream(struct mgmt_resp *resp, const char *content_type,
			  mgmt_stream_fn *open, mgmt_stream_fn *close,
			  void *arg);

#define MGMT_STREAM_BUF_MAX (1024 * 1024) /* unsent bytes per stream */

/*
 * Queue @len bytes on stream @s; they go out as the client reads.  A
 * client that lets more than MGMT_STREAM_BUF_MAX bytes pile up is cut off:
 * -FM_ENOSPC, and the stream ends (an SSE client reconnects with
 * Last-Event-ID).  -FM_ESTATE after mgmt_stream_end().
 */
int mgmt_stream_write(struct mgmt_stream *s, const char *buf, size_t len,
		      struct fm_err *err);
/* End stream @s once what is queued is sent. */
void mgmt_stream_end(struct mgmt_stream *s);

/*
 * What handlers share: the daemon's state, all borrowed.  A module that
 * handlers need adds one pointer here.
 */
struct mgmt_ctx {
	const struct mgmt_config *cfg;
	struct mgmt_loop *loop;
	const struct mgmt_router *router;
	struct sw_fmp_client *fmp; /* the switch; NULL when none attached */
	struct mgmt_store *store;  /* durable state; NULL when none open */
	/* the fabric model (mgmt/fabric.h); NULL when none attached */
	struct mgmt_fabric *fabric;
	/* the event hub (mgmt/events.h); NULL when none */
	struct mgmt_events *events;
	/* the task engine (mgmt/task.h); NULL when none: the routes that
	 * run tasks then fail with -FM_EIO (500 OperationFailed) */
	struct mgmt_tasks *tasks;
	/* accounts, sessions, audit (mgmt/auth.h); NULL when none: the
	 * AccountService, SessionService and audit routes then fail with
	 * -FM_EIO (500 OperationFailed) */
	struct mgmt_auth *auth;
	/* the link to a separate switch (mgmt/switch_link.h); NULL with an
	 * embedded one */
	struct mgmt_switch_link *link;
};

/*
 * A handler does only its own work: the dispatcher already found the
 * route, checked the method, privilege, body size, content type, JSON
 * syntax and If-Match.  It returns 0 with @resp filled, or a negative
 * -FM_E* code: with an error body it wrote itself (mgmt_rf_error()), or
 * with @err filled, which the dispatcher maps to a status and a Base
 * registry message (redfish.c's table).  A handler that fails changes
 * nothing.  GET handlers have no side effects: the dispatcher also calls
 * them to compute the ETag that If-Match is checked against.
 */
typedef int mgmt_handler_fn(struct mgmt_resp *resp, struct mgmt_ctx *ctx,
			    const struct mgmt_req *req, struct fm_err *err);

struct mgmt_op {
	mgmt_handler_fn *fn; /* NULL: method not allowed (405) */
	enum mgmt_priv priv; /* required privilege (LOGIN by default) */
};

/* The body never changes while the service runs (no Cache-Control). */
#define MGMT_ROUTE_STATIC 0x1u

struct mgmt_route {
	/*
	 * "/redfish/v1/Fabrics/{fabric}/Zones/{zone}": literal segments
	 * and {name} segments, which match any one segment (its value in
	 * req->params).  Where two patterns match, the one whose first
	 * differing segment is literal wins.
	 */
	const char *path;
	/*
	 * The @odata.type of the resource ("#Zone.v1_6_3.Zone",
	 * "#ZoneCollection.ZoneCollection"): the Link rel=describedby
	 * header and $metadata follow from it.  NULL for documents that
	 * are not Redfish resources (/redfish, $metadata, odata).
	 */
	const char *type;
	unsigned flags; /* MGMT_ROUTE_* */
	struct mgmt_op op[MGMT_METHOD_COUNT];
};

struct mgmt_route_set {
	const char *name; /* the family, for messages */
	const struct mgmt_route *routes;
	size_t count;
};

/* Export route table @table of a family as route set @var. */
#define MGMT_ROUTE_SET(var, family, table)                                     \
	const struct mgmt_route_set var = { family, table,                     \
					    FM_ARRAY_SIZE(table) }

/* The families of the service (mgmt/res_<family>.c). */
extern const struct mgmt_route_set mgmt_res_root;
extern const struct mgmt_route_set mgmt_res_registries;
extern const struct mgmt_route_set mgmt_res_fabrics;
extern const struct mgmt_route_set mgmt_res_chassis;
extern const struct mgmt_route_set mgmt_res_systems;
extern const struct mgmt_route_set mgmt_res_managers;
extern const struct mgmt_route_set mgmt_res_events;
extern const struct mgmt_route_set mgmt_res_tasks;
extern const struct mgmt_route_set mgmt_res_zones_actions;
extern const struct mgmt_route_set mgmt_res_accounts;
extern const struct mgmt_route_set mgmt_res_sessions;
extern const struct mgmt_route_set mgmt_res_audit;
extern const struct mgmt_route_set mgmt_res_ui; /* the web console */

struct mgmt_router;

/*
 * Compile @nsets route sets (borrowed, static) into a router.  Fails with
 * -FM_EINVAL naming the route when a path is malformed (not absolute, an
 * empty segment, an unterminated {name}, too many parameters), a method
 * has a privilege out of range, or two routes have the same pattern.
 */
int mgmt_router_new(struct mgmt_router **out,
		    const struct mgmt_route_set *const *sets, size_t nsets,
		    struct fm_err *err);
/* The router of the whole service: every family listed in router.c. */
int mgmt_router_new_default(struct mgmt_router **out, struct fm_err *err);
void mgmt_router_free(struct mgmt_router *r);

/* Routes in table order (for $metadata, ServiceRoot, odata). */
size_t mgmt_router_count(const struct mgmt_router *r);
const struct mgmt_route *mgmt_router_route(const struct mgmt_router *r,
					   size_t i);

/*
 * Authentication hook (issue 5).  Establish who sent @req into @who and
 * return 0, or return -FM_EPERM when the credentials are missing or
 * wrong; it may add headers to @resp (WWW-Authenticate).  Without a hook
 * every request acts with every privilege.
 */
typedef int mgmt_auth_fn(struct mgmt_principal *who, void *ctx,
			 const struct mgmt_req *req, struct mgmt_resp *resp,
			 struct fm_err *err);
void mgmt_router_set_auth(struct mgmt_router *r, mgmt_auth_fn *fn, void *ctx);

/*
 * Audit hook (issue 5): called once the response to a POST, PATCH, PUT
 * or DELETE is complete, whatever its status (also 401, 403, 404, 405),
 * with the request as the dispatcher saw it (req->who the caller,
 * req->json the parsed body, req->uri NULL when the path was unusable).
 */
typedef void mgmt_audit_fn(void *ctx, const struct mgmt_req *req,
			   const struct mgmt_resp *resp);
void mgmt_router_set_audit(struct mgmt_router *r, mgmt_audit_fn *fn, void *ctx);

/*
 * Answer @req into @resp (initialised here; the caller finalises it).
 * Every request gets a response; in this order:
 *   404 no route matches (Base.ResourceMissingAtURI)
 *   405 + Allow, the method is not served (Base.OperationNotAllowed)
 *   401 / 403 authentication, privilege (NoValidSession,
 *       InsufficientPrivilege)
 *   412 unsupported OData-Version request header (HeaderInvalid)
 *   501 a $-query parameter (QueryParameterUnsupported)
 *   413 body larger than cfg->body_max (PayloadTooLarge)
 *   415 POST/PATCH/PUT body not application/json (HeaderInvalid)
 *   400 body not one JSON object (MalformedJSON), PATCH/PUT without a
 *       property (EmptyJSON)
 *   412 If-Match names none of the current ETags (PreconditionFailed);
 *       "*" matches any existing resource
 *   then the handler; a GET whose ETag matches If-None-Match gets 304.
 * Every response carries OData-Version: 4.0 and, when a route matched,
 * Allow; JSON ones Content-Type: application/json; charset=utf-8;
 * successful GETs an ETag (a strong hash of the body) and, for Redfish
 * resources, Link: <schema>; rel=describedby; dynamic ones
 * Cache-Control: no-cache.  Errors use the Redfish error body.
 */
void mgmt_router_dispatch(struct mgmt_resp *resp, const struct mgmt_router *r,
			  struct mgmt_ctx *ctx, const struct mgmt_req *req);

#endif
