/* SPDX-License-Identifier: MIT */
/*
 * router.c - the route table of the service and the dispatcher: one
 * place for the checks every request shares (route, method, privilege,
 * query, body size, content type, JSON syntax, If-Match), then the
 * resource family's handler, then the headers every response carries.
 * See router_int.h for the contract.
 */
#include "mgmt/router_int.h"

#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fabric/json.h"
#include "mgmt/redfish_int.h"

#define ROUTER_MAX_SEGS 16
#define ROUTER_ALLOW_MAX 64

/*
 * The families of the service.  Adding one: write mgmt/res_<family>.c
 * with its table and MGMT_ROUTE_SET(mgmt_res_<family>, ...), declare it
 * in router_int.h, and add it here.  The order does not matter: the most
 * literal pattern wins whatever the order.
 */
static const struct mgmt_route_set *const mgmt_route_sets[] = {
	&mgmt_res_root,	    &mgmt_res_registries, &mgmt_res_fabrics,
	&mgmt_res_chassis,  &mgmt_res_systems,	  &mgmt_res_managers,
	&mgmt_res_events,   &mgmt_res_tasks,	  &mgmt_res_zones_actions,
	&mgmt_res_accounts, &mgmt_res_sessions,	  &mgmt_res_audit,
	&mgmt_res_ui,
};

static const char *const method_names[MGMT_METHOD_COUNT] = {
	[MGMT_GET] = "GET", [MGMT_POST] = "POST",     [MGMT_PATCH] = "PATCH",
	[MGMT_PUT] = "PUT", [MGMT_DELETE] = "DELETE",
};

/* Privileges.v1_x PrivilegeType names */
static const char *const priv_names[MGMT_PRIV_COUNT] = {
	[MGMT_PRIV_LOGIN] = "Login",
	[MGMT_PRIV_CONFIGURE_COMPONENTS] = "ConfigureComponents",
	[MGMT_PRIV_CONFIGURE_MANAGER] = "ConfigureManager",
	[MGMT_PRIV_CONFIGURE_USERS] = "ConfigureUsers",
	[MGMT_PRIV_CONFIGURE_SELF] = "ConfigureSelf",
	[MGMT_PRIV_NONE] = "NoAuth",
};

/* Query parameters DSP0266 defines: a service that does not support
 * them answers 501 rather than ignoring them ("$..." and these). */
static const char *const redfish_queries[] = {
	"only",
	"excerpt",
	"includeoriginofcondition",
};

#define ROUTER_PARAM_NAME_MAX 32

struct router_seg {
	const char *s; /* a literal segment, in the route's path */
	size_t len;
	bool param;
	char name[ROUTER_PARAM_NAME_MAX]; /* a parameter's name */
};

struct router_route {
	const struct mgmt_route *route;
	unsigned nsegs;
	struct router_seg seg[ROUTER_MAX_SEGS];
	uint32_t literal; /* bit (MAX-1-i) set when segment i is literal */
	char allow[ROUTER_ALLOW_MAX];
};

struct mgmt_router {
	struct router_route *routes;
	size_t count;
	mgmt_auth_fn *auth;
	void *auth_ctx;
	mgmt_audit_fn *audit;
	void *audit_ctx;
};

const char *mgmt_method_name(enum mgmt_method m)
{
	if ((unsigned)m >= MGMT_METHOD_COUNT)
		return NULL;
	return method_names[m];
}

const char *mgmt_priv_name(enum mgmt_priv p)
{
	if ((unsigned)p >= MGMT_PRIV_COUNT)
		return NULL;
	return priv_names[p];
}

/* ---------------------------------------------------------------------
 * Requests and responses
 */
static const char *kv_find(const struct mgmt_kv *kv, size_t n, const char *name,
			   bool icase)
{
	size_t i;

	for (i = 0; i < n; i++) {
		int c = icase ? strcasecmp(kv[i].name, name)
			      : strcmp(kv[i].name, name);

		if (c == 0)
			return kv[i].value;
	}
	return NULL;
}

const char *mgmt_req_header(const struct mgmt_req *req, const char *name)
{
	return kv_find(req->headers, req->nheaders, name, true);
}

const char *mgmt_req_param(const struct mgmt_req *req, const char *name)
{
	return kv_find(req->params, req->nparams, name, false);
}

void mgmt_resp_init(struct mgmt_resp *resp)
{
	memset(resp, 0, sizeof(*resp));
}

static void resp_drop_body(struct mgmt_resp *resp)
{
	json_object_put(resp->json);
	free(resp->text);
	resp->json = NULL;
	resp->text = NULL;
	resp->text_len = 0;
	resp->content_type = NULL;
	resp->body = NULL;
	resp->body_len = 0;
}

void mgmt_resp_fini(struct mgmt_resp *resp)
{
	resp_drop_body(resp);
	resp->nheaders = 0;
}

int mgmt_resp_header_set(struct mgmt_resp *resp, const char *name,
			 const char *fmt, ...)
{
	struct mgmt_resp_header *h = NULL;
	va_list ap;
	size_t i;
	int n;

	if (strlen(name) >= MGMT_HEADER_NAME_MAX)
		return -FM_ERANGE;
	for (i = 0; i < resp->nheaders && !h; i++)
		if (strcasecmp(resp->headers[i].name, name) == 0)
			h = &resp->headers[i];
	if (!h) {
		if (resp->nheaders == MGMT_RESP_HEADERS)
			return -FM_ENOSPC;
		h = &resp->headers[resp->nheaders];
		snprintf(h->name, sizeof(h->name), "%s", name);
	}
	va_start(ap, fmt);
	n = vsnprintf(h->value, sizeof(h->value), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(h->value)) {
		/* a new header that does not fit is not added */
		if (h == &resp->headers[resp->nheaders])
			h->name[0] = '\0';
		return -FM_ERANGE;
	}
	if (h == &resp->headers[resp->nheaders])
		resp->nheaders++;
	return 0;
}

const char *mgmt_resp_header(const struct mgmt_resp *resp, const char *name)
{
	size_t i;

	for (i = 0; i < resp->nheaders; i++)
		if (strcasecmp(resp->headers[i].name, name) == 0)
			return resp->headers[i].value;
	return NULL;
}

void mgmt_resp_set_json(struct mgmt_resp *resp, unsigned status,
			struct json_object *json)
{
	resp_drop_body(resp);
	resp->status = status;
	resp->json = json;
}

int mgmt_resp_set_text(struct mgmt_resp *resp, unsigned status,
		       const char *content_type, const char *text, size_t len,
		       struct fm_err *err)
{
	char *copy = malloc(len ? len : 1);

	if (!copy)
		return fm_err_set(err, FM_ENOMEM, "response: out of memory");
	memcpy(copy, text, len);
	resp_drop_body(resp);
	resp->status = status;
	resp->text = copy;
	resp->text_len = len;
	resp->content_type = content_type;
	return 0;
}

void mgmt_resp_set_stream(struct mgmt_resp *resp, const char *content_type,
			  mgmt_stream_fn *open, mgmt_stream_fn *close,
			  void *arg)
{
	resp_drop_body(resp);
	resp->status = 200;
	resp->content_type = content_type;
	resp->stream_open = open;
	resp->stream_close = close;
	resp->stream_arg = arg;
}

static bool resp_has_body(const struct mgmt_resp *resp)
{
	return resp->json || resp->text;
}

/* ---------------------------------------------------------------------
 * Compiling the table
 */
static int router_compile(struct router_route *rr, const struct mgmt_route *r,
			  const char *family, struct fm_err *err)
{
	const char *p = r->path;
	unsigned nparams = 0, m;
	size_t n = 0;

	rr->route = r;
	if (!p || p[0] != '/')
		return fm_err_set(err, FM_EINVAL,
				  "routes %s: path \"%s\" is not absolute",
				  family, p ? p : "(null)");
	while (*p) {
		struct router_seg *s;
		const char *end;

		p++; /* the '/' */
		end = strchr(p, '/');
		if (!end)
			end = p + strlen(p);
		if (end == p || rr->nsegs == ROUTER_MAX_SEGS)
			return fm_err_set(err, FM_EINVAL,
					  "routes %s: path \"%s\" has an empty "
					  "segment or more than %d",
					  family, r->path, ROUTER_MAX_SEGS);
		s = &rr->seg[rr->nsegs];
		s->s = p;
		s->len = (size_t)(end - p);
		if (p[0] == '{') {
			if (s->len < 3 || s->len - 2 >= ROUTER_PARAM_NAME_MAX ||
			    p[s->len - 1] != '}' ||
			    memchr(p + 1, '{', s->len - 2) ||
			    memchr(p + 1, '}', s->len - 2) ||
			    ++nparams > MGMT_MAX_PARAMS)
				return fm_err_set(err, FM_EINVAL,
						  "routes %s: path \"%s\": bad "
						  "parameter segment",
						  family, r->path);
			s->param = true;
			memcpy(s->name, p + 1, s->len - 2);
			s->name[s->len - 2] = '\0';
		} else if (memchr(p, '{', s->len) || memchr(p, '}', s->len)) {
			return fm_err_set(err, FM_EINVAL,
					  "routes %s: path \"%s\": braces "
					  "inside a segment",
					  family, r->path);
		} else {
			rr->literal |= 1u << (ROUTER_MAX_SEGS - 1 - rr->nsegs);
		}
		rr->nsegs++;
		p = end;
	}
	for (m = 0; m < MGMT_METHOD_COUNT; m++) {
		if (!r->op[m].fn)
			continue;
		if ((unsigned)r->op[m].priv >= MGMT_PRIV_COUNT)
			return fm_err_set(err, FM_EINVAL,
					  "routes %s: %s %s: privilege %d out "
					  "of range",
					  family, method_names[m], r->path,
					  (int)r->op[m].priv);
		n += (size_t)snprintf(rr->allow + n, sizeof(rr->allow) - n,
				      "%s%s", n ? ", " : "", method_names[m]);
		if (m == MGMT_GET)
			n += (size_t)snprintf(rr->allow + n,
					      sizeof(rr->allow) - n, ", HEAD");
	}
	return 0;
}

static bool router_same_pattern(const struct router_route *a,
				const struct router_route *b)
{
	unsigned i;

	if (a->nsegs != b->nsegs || a->literal != b->literal)
		return false;
	for (i = 0; i < a->nsegs; i++)
		if (!a->seg[i].param &&
		    (a->seg[i].len != b->seg[i].len ||
		     memcmp(a->seg[i].s, b->seg[i].s, a->seg[i].len) != 0))
			return false;
	return true;
}

int mgmt_router_new(struct mgmt_router **out,
		    const struct mgmt_route_set *const *sets, size_t nsets,
		    struct fm_err *err)
{
	struct mgmt_router *r;
	size_t total = 0, i, j, k = 0;
	int ret;

	for (i = 0; i < nsets; i++)
		total += sets[i]->count;
	r = calloc(1, sizeof(*r));
	if (r)
		r->routes = calloc(total ? total : 1, sizeof(*r->routes));
	if (!r || !r->routes) {
		ret = fm_err_set(err, FM_ENOMEM, "router: out of memory");
		goto fail;
	}
	for (i = 0; i < nsets; i++) {
		for (j = 0; j < sets[i]->count; j++, k++) {
			size_t d;

			ret = router_compile(&r->routes[k], &sets[i]->routes[j],
					     sets[i]->name, err);
			if (ret < 0)
				goto fail;
			for (d = 0; d < k; d++) {
				if (!router_same_pattern(&r->routes[d],
							 &r->routes[k]))
					continue;
				ret = fm_err_set(err, FM_EINVAL,
						 "routes %s: \"%s\" has the "
						 "pattern of \"%s\"",
						 sets[i]->name,
						 r->routes[k].route->path,
						 r->routes[d].route->path);
				goto fail;
			}
		}
	}
	r->count = total;
	*out = r;
	return 0;
fail:
	mgmt_router_free(r);
	return ret;
}

int mgmt_router_new_default(struct mgmt_router **out, struct fm_err *err)
{
	return mgmt_router_new(out, mgmt_route_sets,
			       FM_ARRAY_SIZE(mgmt_route_sets), err);
}

void mgmt_router_free(struct mgmt_router *r)
{
	if (!r)
		return;
	free(r->routes);
	free(r);
}

size_t mgmt_router_count(const struct mgmt_router *r)
{
	return r->count;
}

const struct mgmt_route *mgmt_router_route(const struct mgmt_router *r,
					   size_t i)
{
	return i < r->count ? r->routes[i].route : NULL;
}

void mgmt_router_set_auth(struct mgmt_router *r, mgmt_auth_fn *fn, void *ctx)
{
	r->auth = fn;
	r->auth_ctx = ctx;
}

void mgmt_router_set_audit(struct mgmt_router *r, mgmt_audit_fn *fn, void *ctx)
{
	r->audit = fn;
	r->audit_ctx = ctx;
}

/* The methods that change something, which the audit hook records. */
static bool router_mutating(const char *method)
{
	static const char *const names[] = { "POST", "PATCH", "PUT", "DELETE" };
	size_t i;

	for (i = 0; method && i < FM_ARRAY_SIZE(names); i++)
		if (strcmp(method, names[i]) == 0)
			return true;
	return false;
}

/* ---------------------------------------------------------------------
 * Matching
 */

/*
 * Split req->path into req->buf: the canonical URI first (trailing '/'
 * dropped: "/redfish/v1/" is "/redfish/v1"), then a copy cut into
 * NUL-terminated segments.  Returns the segment count, or -1 when the
 * path is not absolute, too long or has too many segments.
 */
static int router_split(const char **segs, struct mgmt_req *req)
{
	size_t len = req->path ? strlen(req->path) : 0;
	char *uri = req->buf, *copy;
	int n = 0;
	char *p;

	if (len == 0 || req->path[0] != '/' || len >= MGMT_URI_MAX)
		return -1;
	while (len > 1 && req->path[len - 1] == '/')
		len--;
	memcpy(uri, req->path, len);
	uri[len] = '\0';
	req->uri = uri;
	copy = uri + len + 1;
	memcpy(copy, uri, len + 1);
	if (len == 1)
		return 0;
	for (p = copy + 1;; p++) {
		char *end = strchr(p, '/');

		if (n == ROUTER_MAX_SEGS)
			return -1;
		segs[n++] = p;
		if (!end)
			break;
		*end = '\0';
		p = end;
	}
	return n;
}

static const struct router_route *router_match(const struct mgmt_router *r,
					       struct mgmt_req *req)
{
	const char *segs[ROUTER_MAX_SEGS];
	const struct router_route *best = NULL;
	int n = router_split(segs, req);
	size_t i;
	unsigned s;

	if (n < 0)
		return NULL;
	for (i = 0; i < r->count; i++) {
		const struct router_route *rr = &r->routes[i];

		if (rr->nsegs != (unsigned)n ||
		    (best && rr->literal <= best->literal))
			continue;
		for (s = 0; s < rr->nsegs; s++) {
			const struct router_seg *g = &rr->seg[s];

			if (g->param ? segs[s][0] == '\0'
				     : strlen(segs[s]) != g->len ||
					       memcmp(segs[s], g->s, g->len))
				break;
		}
		if (s == rr->nsegs)
			best = rr;
	}
	if (!best)
		return NULL;
	req->nparams = 0;
	for (s = 0; s < best->nsegs; s++) {
		const struct router_seg *g = &best->seg[s];
		struct mgmt_kv *kv;

		if (!g->param)
			continue;
		kv = &req->params[req->nparams++];
		kv->name = g->name;
		kv->value = segs[s];
	}
	return best;
}

/* ---------------------------------------------------------------------
 * Dispatching
 */
/* The method named @name (HEAD is GET), MGMT_METHOD_COUNT if none. */
static enum mgmt_method router_method(const char *name)
{
	unsigned i;

	if (!name)
		return MGMT_METHOD_COUNT;
	if (strcmp(name, "HEAD") == 0)
		return MGMT_GET;
	for (i = 0; i < MGMT_METHOD_COUNT; i++)
		if (strcmp(name, method_names[i]) == 0)
			return (enum mgmt_method)i;
	return MGMT_METHOD_COUNT;
}

/* Content-Type names application/json, whatever its parameters. */
static bool router_is_json(const char *ct)
{
	static const char json[] = "application/json";
	size_t n = sizeof(json) - 1;

	if (!ct || strncasecmp(ct, json, n) != 0)
		return false;
	ct += n;
	while (*ct == ' ' || *ct == '\t')
		ct++;
	return *ct == '\0' || *ct == ';';
}

static const char *router_bad_query(const struct mgmt_req *req)
{
	size_t i, j;

	for (i = 0; i < req->nquery; i++) {
		const char *name = req->query[i].name;

		if (name[0] == '$')
			return name;
		for (j = 0; j < FM_ARRAY_SIZE(redfish_queries); j++)
			if (strcasecmp(name, redfish_queries[j]) == 0)
				return name;
	}
	return NULL;
}

/*
 * The body of @resp as bytes: serialises JSON (the string stays owned by
 * the object) or points at the text.
 */
static void router_serialize(struct mgmt_resp *resp)
{
	size_t len = 0;

	if (resp->json) {
		resp->body = json_object_to_json_string_length(
			resp->json,
			JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE,
			&len);
		resp->body_len = len;
		resp->content_type = "application/json; charset=utf-8";
	} else if (resp->text) {
		resp->body = resp->text;
		resp->body_len = resp->text_len;
	}
}

/*
 * The ETag of a GET response: the handler's own (a resource whose body
 * does not show every change, an account's password, names its version
 * in an ETag header), else the hash of the serialised body.
 */
static void router_etag(char etag[MGMT_ETAG_LEN], const struct mgmt_resp *resp)
{
	const char *own = mgmt_resp_header(resp, "ETag");

	if (own && strlen(own) < MGMT_ETAG_LEN) {
		snprintf(etag, MGMT_ETAG_LEN, "%s", own);
		return;
	}
	mgmt_rf_etag(etag, resp->body, resp->body_len);
}

/* Run @fn and turn a failure without an error body into one. */
static int router_call(struct mgmt_resp *resp, mgmt_handler_fn *fn,
		       struct mgmt_ctx *ctx, const struct mgmt_req *req)
{
	struct fm_err err = { 0 };
	int ret = fn(resp, ctx, req, &err);

	if (ret >= 0)
		return 0;
	if (!resp_has_body(resp) || resp->status < 400) {
		resp->status = 0;
		mgmt_rf_error_from_code(resp, ret, req->uri, err.msg);
	}
	if (resp->status >= 500)
		FM_LOG(FM_LOG_WARN, "http %s %s: %u: %s", req->method, req->uri,
		       resp->status, err.msg[0] ? err.msg : fm_strerror(ret));
	else
		FM_LOG(FM_LOG_DEBUG, "http %s %s: %u: %s", req->method,
		       req->uri, resp->status,
		       err.msg[0] ? err.msg : fm_strerror(ret));
	return ret;
}

/*
 * If-Match (RFC 7232 3.1): the request goes ahead only when the list
 * names the ETag of the resource's current representation, which the
 * route's GET handler renders.  "*" asks only that the resource exists.
 * Returns 0 to go ahead, else -1 with the error in @resp.
 */
static int router_if_match(struct mgmt_resp *resp, struct mgmt_ctx *ctx,
			   const struct mgmt_req *req)
{
	const char *list = mgmt_req_header(req, "If-Match");
	mgmt_handler_fn *get = req->route->op[MGMT_GET].fn;
	char etag[MGMT_ETAG_LEN] = "";
	struct mgmt_req greq;
	struct mgmt_resp cur;
	int ret = 0;

	if (!list)
		return 0;
	mgmt_resp_init(&cur);
	if (get) {
		greq = *req;
		greq.m = MGMT_GET;
		greq.json = NULL;
		if (router_call(&cur, get, ctx, &greq) < 0 ||
		    cur.status >= 400) {
			/* the resource does not exist (or cannot be read) */
			mgmt_resp_fini(resp);
			*resp = cur;
			return -1;
		}
		router_serialize(&cur);
		router_etag(etag, &cur);
	}
	if (!mgmt_rf_etag_listed(list, get ? etag : "", false)) {
		mgmt_rf_error(resp, 412, MGMT_MSG_PRECONDITION_FAILED);
		ret = -1;
	}
	mgmt_resp_fini(&cur);
	return ret;
}

/* Authenticate and authorise; 0 to go ahead, else -1 with the error. */
static int router_authorize(struct mgmt_resp *resp, struct mgmt_principal *who,
			    const struct mgmt_router *r,
			    const struct mgmt_req *req, enum mgmt_priv need)
{
	struct fm_err err = { 0 };
	int ret;

	memset(who, 0, sizeof(*who));
	if (need == MGMT_PRIV_NONE)
		return 0;
	if (!r->auth) {
		who->privs = MGMT_PRIV_ALL;
		return 0;
	}
	ret = r->auth(who, r->auth_ctx, req, resp, &err);
	if (ret == -FM_EPERM) {
		mgmt_rf_error(resp, 401, MGMT_MSG_NO_VALID_SESSION);
		return -1;
	}
	if (ret < 0) {
		mgmt_rf_error_from_code(resp, ret, req->uri, err.msg);
		return -1;
	}
	if (!(who->privs & MGMT_PRIV_BIT(need))) {
		mgmt_rf_error(resp, 403, MGMT_MSG_INSUFFICIENT_PRIVILEGE);
		return -1;
	}
	return 0;
}

/*
 * The checks on the request itself, after routing and authorisation.
 * Parses the body into *json.  0 to go ahead, else -1 with the error.
 */
static int router_check_request(struct mgmt_resp *resp,
				struct json_object **json,
				const struct mgmt_ctx *ctx,
				const struct mgmt_req *req)
{
	uint32_t body_max =
		ctx && ctx->cfg ? ctx->cfg->body_max : MGMT_DEFAULT_BODY_MAX;
	const char *odata = mgmt_req_header(req, "OData-Version");
	const char *query = router_bad_query(req);
	bool takes_body = req->m == MGMT_POST || req->m == MGMT_PATCH ||
			  req->m == MGMT_PUT;
	bool needs_props = req->m == MGMT_PATCH || req->m == MGMT_PUT;
	struct fm_err err = { 0 };

	*json = NULL;
	/* DSP0266: a request for an unsupported OData-Version gets 412 */
	if (odata && strcmp(odata, "4.0") != 0) {
		mgmt_rf_error(resp, 412, MGMT_MSG_HEADER_INVALID,
			      "OData-Version");
		return -1;
	}
	if (query) {
		mgmt_rf_error(resp, 501, MGMT_MSG_QUERY_PARAMETER_UNSUPPORTED,
			      query);
		return -1;
	}
	if (req->body_len > body_max) {
		mgmt_rf_error(resp, 413, MGMT_MSG_PAYLOAD_TOO_LARGE);
		return -1;
	}
	if (!takes_body || (req->body_len == 0 && !needs_props))
		return 0;
	if (req->body_len &&
	    !router_is_json(mgmt_req_header(req, "Content-Type"))) {
		mgmt_rf_error(resp, 415, MGMT_MSG_HEADER_INVALID,
			      "Content-Type");
		return -1;
	}
	if (req->body_len && (fab_json_parse(json, "request body", req->body,
					     req->body_len, &err) < 0 ||
			      !json_object_is_type(*json, json_type_object))) {
		FM_LOG(FM_LOG_DEBUG, "http %s %s: %s", req->method, req->uri,
		       err.msg[0] ? err.msg : "body is not a JSON object");
		mgmt_rf_error(resp, 400, MGMT_MSG_MALFORMED_JSON);
		goto fail;
	}
	if (needs_props && (!*json || json_object_object_length(*json) == 0)) {
		mgmt_rf_error(resp, 400, MGMT_MSG_EMPTY_JSON);
		goto fail;
	}
	return 0;
fail:
	json_object_put(*json);
	*json = NULL;
	return -1;
}

/* The headers every response carries; see mgmt_router_dispatch(). */
static void router_finish(struct mgmt_resp *resp, const struct router_route *rr,
			  const struct mgmt_req *req, bool get)
{
	char etag[MGMT_ETAG_LEN], schema[128];
	const char *inm = mgmt_req_header(req, "If-None-Match");
	bool ok;
	int bad = 0;

	if (resp->status == 0)
		resp->status = resp_has_body(resp) ? 200 : 204;
	router_serialize(resp);
	ok = resp->status >= 200 && resp->status < 300;
	bad |= mgmt_resp_header_set(resp, "OData-Version", "4.0");
	if (rr)
		bad |= mgmt_resp_header_set(resp, "Allow", "%s", rr->allow);
	if (resp->content_type)
		bad |= mgmt_resp_header_set(resp, "Content-Type", "%s",
					    resp->content_type);
	if (!rr || !(rr->route->flags & MGMT_ROUTE_STATIC) || !ok)
		bad |= mgmt_resp_header_set(resp, "Cache-Control", "no-cache");
	if (get && ok && rr && rr->route->type &&
	    mgmt_rf_type_schema(schema, sizeof(schema), rr->route->type))
		bad |= mgmt_resp_header_set(resp, "Link",
					    "<" MGMT_RF_SCHEMA_BASE
					    "%s.json>; rel=describedby",
					    schema);
	if (get && resp->status == 200 && resp->body) {
		router_etag(etag, resp);
		bad |= mgmt_resp_header_set(resp, "ETag", "%s", etag);
		if (inm && mgmt_rf_etag_listed(inm, etag, true)) {
			/* RFC 7232 4.1: 304 carries the ETag, no body */
			resp_drop_body(resp);
			resp->status = 304;
		}
	}
	if (bad)
		FM_LOG(FM_LOG_WARN, "http %s %s: response headers do not fit",
		       req->method, req->uri ? req->uri : req->path);
}

void mgmt_router_dispatch(struct mgmt_resp *resp, const struct mgmt_router *r,
			  struct mgmt_ctx *ctx, const struct mgmt_req *in)
{
	const struct router_route *rr;
	struct mgmt_principal who;
	struct json_object *json = NULL;
	struct mgmt_req req = *in;
	enum mgmt_method m;

	mgmt_resp_init(resp);
	memset(&who, 0, sizeof(who));
	req.m = MGMT_METHOD_COUNT;
	req.route = NULL;
	req.uri = NULL;
	req.nparams = 0;
	req.json = NULL;
	req.who = &who;
	rr = router_match(r, &req);
	if (!rr) {
		mgmt_rf_error(resp, 404, MGMT_MSG_RESOURCE_MISSING_AT_URI,
			      in->path ? in->path : "");
		goto finish;
	}
	req.route = rr->route;
	m = router_method(req.method);
	if (m == MGMT_METHOD_COUNT || !rr->route->op[m].fn) {
		mgmt_rf_error(resp, 405, MGMT_MSG_OPERATION_NOT_ALLOWED);
		goto finish;
	}
	req.m = m;
	if (router_authorize(resp, &who, r, &req, rr->route->op[m].priv) < 0)
		goto finish;
	if (router_check_request(resp, &json, ctx, &req) < 0)
		goto finish;
	req.json = json;
	if (m != MGMT_GET && router_if_match(resp, ctx, &req) < 0)
		goto finish;
	router_call(resp, rr->route->op[m].fn, ctx, &req);
finish:
	/* the audit record joins the round of the change it describes */
	if (r->audit && router_mutating(req.method))
		r->audit(r->audit_ctx, &req, resp);
	router_finish(resp, rr, &req, req.m == MGMT_GET && !resp->stream_open);
	json_object_put(json);
}
