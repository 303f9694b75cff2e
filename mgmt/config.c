/* SPDX-License-Identifier: MIT */
/*
 * config.c - mrfabricd's configuration: defaults, the JSON file checked
 * against schemas/mrfabricd.schema.json (embedded at build time), and
 * the command-line overrides.  See mgmt.h.
 */
#include "mgmt/mgmt.h"

#include <arpa/inet.h>
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "fabric/json.h"

/* schemas/mrfabricd.schema.json, embedded by mgmt/CMakeLists.txt */
extern const char mrfabric_mrfabricd_schema[];
extern const size_t mrfabric_mrfabricd_schema_len;

static const char *const level_names[] = {
	[FM_LOG_ERROR] = "error",
	[FM_LOG_WARN] = "warn",
	[FM_LOG_INFO] = "info",
	[FM_LOG_DEBUG] = "debug",
};

int mgmt_log_level_parse(enum fm_log_level *out, const char *name,
			 struct fm_err *err)
{
	size_t i;

	for (i = 0; i < FM_ARRAY_SIZE(level_names); i++) {
		if (name && strcmp(name, level_names[i]) == 0) {
			*out = (enum fm_log_level)i;
			return 0;
		}
	}
	return fm_err_set(err, FM_EINVAL,
			  "log level \"%s\" is not one of error, warn, info, "
			  "debug",
			  name ? name : "");
}

/* FNV-1a 64 of @s, continuing from @h. */
static uint64_t cfg_fnv(uint64_t h, const char *s)
{
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ULL;
	}
	return h;
}

/*
 * A UUID for this host, stable across restarts: a keyed hash of the
 * machine id (systemd's advice: never publish the id itself), or of the
 * host name.  Marked as an RFC 9562 version 8 (custom) UUID.
 */
static void cfg_uuid_derive(char out[MGMT_UUID_LEN])
{
	char id[256] = "";
	uint64_t hi, lo;
	FILE *f;

	f = fopen("/etc/machine-id", "r");
	if (f) {
		if (!fgets(id, sizeof(id), f))
			id[0] = '\0';
		fclose(f);
	}
	id[strcspn(id, "\n")] = '\0';
	if (!id[0] && gethostname(id, sizeof(id) - 1) != 0)
		snprintf(id, sizeof(id), "localhost");
	hi = cfg_fnv(cfg_fnv(0xcbf29ce484222325ULL, "mrfabricd/hi:"), id);
	lo = cfg_fnv(cfg_fnv(0x84222325cbf29ce4ULL, "mrfabricd/lo:"), id);
	hi = (hi & ~0xf000ULL) | 0x8000ULL;	  /* version 8 */
	lo = (lo & ~(3ULL << 62)) | (2ULL << 62); /* variant 10 */
	snprintf(out, MGMT_UUID_LEN, "%08x-%04x-%04x-%04x-%012llx",
		 (unsigned)(hi >> 32), (unsigned)(hi >> 16) & 0xffff,
		 (unsigned)hi & 0xffff, (unsigned)(lo >> 48),
		 (unsigned long long)(lo & 0xffffffffffffULL));
}

void mgmt_config_defaults(struct mgmt_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	snprintf(cfg->listen_address, sizeof(cfg->listen_address), "%s",
		 MGMT_DEFAULT_ADDRESS);
	cfg->listen_port = MGMT_DEFAULT_PORT;
	snprintf(cfg->database, sizeof(cfg->database), "%s",
		 MGMT_DEFAULT_DATABASE);
	cfg->managed_unbind_timeout_ms = MGMT_DEFAULT_MANAGED_UNBIND_MS;
	cfg->move_timeout_ms = MGMT_DEFAULT_MOVE_MS;
	cfg->connection_timeout_s = MGMT_DEFAULT_CONNECTION_S;
	cfg->switch_timeout_ms = MGMT_DEFAULT_SWITCH_MS;
	cfg->event_retention = MGMT_DEFAULT_EVENT_RETENTION;
	cfg->body_max = MGMT_DEFAULT_BODY_MAX;
	cfg->sim_speed = 1.0;
	cfg->log_level = FM_LOG_INFO;
	cfg_uuid_derive(cfg->uuid);
	snprintf(cfg->admin_user, sizeof(cfg->admin_user), "%s",
		 MGMT_DEFAULT_ADMIN_USER);
	cfg->session_timeout_s = MGMT_DEFAULT_SESSION_S;
	cfg->connection_limit = MGMT_DEFAULT_CONNECTIONS;
	cfg->connection_limit_per_address =
		MGMT_DEFAULT_CONNECTIONS_PER_ADDRESS;
	cfg->login_failures = MGMT_DEFAULT_LOGIN_FAILURES;
	cfg->login_window_s = MGMT_DEFAULT_LOGIN_WINDOW_S;
	cfg->login_lockout_s = MGMT_DEFAULT_LOGIN_LOCKOUT_S;
	cfg->audit_retention = MGMT_DEFAULT_AUDIT_RETENTION;
}

bool mgmt_addr_is_loopback(const char *addr)
{
	struct in6_addr a6;
	struct in_addr a4;

	if (inet_pton(AF_INET, addr, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (inet_pton(AF_INET6, addr, &a6) == 1)
		return IN6_IS_ADDR_LOOPBACK(&a6);
	return false;
}

int mgmt_config_check(const struct mgmt_config *cfg, struct fm_err *err)
{
	if (cfg->plain_http && !mgmt_addr_is_loopback(cfg->listen_address))
		return fm_err_set(err, FM_ESCHEMA,
				  "listen.plain_http: plain HTTP is allowed "
				  "only on a loopback address (127.0.0.0/8 or "
				  "::1), not on %s: use HTTPS",
				  cfg->listen_address);
	if (!cfg->tls_certificate[0] != !cfg->tls_key[0])
		return fm_err_set(err, FM_ESCHEMA,
				  "tls: give both certificate and key, or "
				  "neither (a generated pair)");
	return 0;
}

static bool cfg_is_ip(const char *s)
{
	unsigned char buf[sizeof(struct in6_addr)];

	return inet_pton(AF_INET, s, buf) == 1 ||
	       inet_pton(AF_INET6, s, buf) == 1;
}

/* @doc's member at "a.b" (NULL when absent); @doc is valid already. */
static struct json_object *cfg_get(const struct json_object *doc,
				   const char *group, const char *key)
{
	struct json_object *o = (struct json_object *)doc, *v = NULL;

	if (group && !json_object_object_get_ex(o, group, &o))
		return NULL;
	if (!json_object_object_get_ex(o, key, &v))
		return NULL;
	return v;
}

/* Integer fields: the schema bounds each within its C type. */
static const struct {
	const char *group;
	const char *key;
	size_t off;
	size_t size;
} cfg_ints[] = {
	{ "listen", "port", offsetof(struct mgmt_config, listen_port),
	  sizeof(uint16_t) },
	{ "timeouts", "managed_unbind_ms",
	  offsetof(struct mgmt_config, managed_unbind_timeout_ms),
	  sizeof(uint32_t) },
	{ "timeouts", "move_ms", offsetof(struct mgmt_config, move_timeout_ms),
	  sizeof(uint32_t) },
	{ "timeouts", "connection_s",
	  offsetof(struct mgmt_config, connection_timeout_s),
	  sizeof(uint32_t) },
	{ "timeouts", "switch_ms",
	  offsetof(struct mgmt_config, switch_timeout_ms), sizeof(uint32_t) },
	{ "events", "retention", offsetof(struct mgmt_config, event_retention),
	  sizeof(uint32_t) },
	{ "limits", "body_bytes", offsetof(struct mgmt_config, body_max),
	  sizeof(uint32_t) },
	{ "limits", "connections",
	  offsetof(struct mgmt_config, connection_limit), sizeof(uint32_t) },
	{ "limits", "connections_per_address",
	  offsetof(struct mgmt_config, connection_limit_per_address),
	  sizeof(uint32_t) },
	{ "limits", "login_failures",
	  offsetof(struct mgmt_config, login_failures), sizeof(uint32_t) },
	{ "limits", "login_window_s",
	  offsetof(struct mgmt_config, login_window_s), sizeof(uint32_t) },
	{ "limits", "login_lockout_s",
	  offsetof(struct mgmt_config, login_lockout_s), sizeof(uint32_t) },
	{ "sessions", "timeout_s",
	  offsetof(struct mgmt_config, session_timeout_s), sizeof(uint32_t) },
	{ "audit", "retention", offsetof(struct mgmt_config, audit_retention),
	  sizeof(uint32_t) },
};

/* String fields, copied into their arrays (the schema bounds lengths). */
static const struct {
	const char *group;
	const char *key;
	size_t off;
	size_t size;
} cfg_strs[] = {
	{ "listen", "address", offsetof(struct mgmt_config, listen_address),
	  MGMT_ADDR_MAX },
	{ NULL, "database", offsetof(struct mgmt_config, database),
	  MGMT_PATH_MAX },
	{ NULL, "uuid", offsetof(struct mgmt_config, uuid), MGMT_UUID_LEN },
	{ "tls", "certificate", offsetof(struct mgmt_config, tls_certificate),
	  MGMT_PATH_MAX },
	{ "tls", "key", offsetof(struct mgmt_config, tls_key), MGMT_PATH_MAX },
	{ "accounts", "admin_user", offsetof(struct mgmt_config, admin_user),
	  MGMT_USER_NAME_MAX },
	{ "accounts", "admin_password_file",
	  offsetof(struct mgmt_config, admin_password_file), MGMT_PATH_MAX },
};

int mgmt_config_from_json(struct mgmt_config *cfg,
			  const struct json_object *doc, const char *name,
			  struct fm_err *err)
{
	struct json_object *schema = NULL, *v;
	struct mgmt_config c = *cfg;
	struct fm_err verr = { 0 };
	size_t i;
	int ret;

	ret = fab_json_parse(&schema, "mrfabricd.schema.json",
			     mrfabric_mrfabricd_schema,
			     mrfabric_mrfabricd_schema_len, &verr);
	if (ret == 0)
		ret = fab_json_validate(schema, doc, &verr);
	json_object_put(schema);
	if (ret < 0)
		return fm_err_set(err, ret, "%s: %s", name, verr.msg);
	for (i = 0; i < FM_ARRAY_SIZE(cfg_ints); i++) {
		char *field = (char *)&c + cfg_ints[i].off;
		int64_t n;

		v = cfg_get(doc, cfg_ints[i].group, cfg_ints[i].key);
		if (!v)
			continue;
		n = json_object_get_int64(v);
		if (cfg_ints[i].size == sizeof(uint16_t))
			*(uint16_t *)(void *)field = (uint16_t)n;
		else
			*(uint32_t *)(void *)field = (uint32_t)n;
	}
	for (i = 0; i < FM_ARRAY_SIZE(cfg_strs); i++) {
		v = cfg_get(doc, cfg_strs[i].group, cfg_strs[i].key);
		if (v)
			snprintf((char *)&c + cfg_strs[i].off, cfg_strs[i].size,
				 "%s", json_object_get_string(v));
	}
	v = cfg_get(doc, "sim", "speed");
	if (v)
		c.sim_speed = json_object_get_double(v);
	v = cfg_get(doc, "listen", "plain_http");
	if (v)
		c.plain_http = json_object_get_boolean(v);
	v = cfg_get(doc, NULL, "log_level");
	if (v && mgmt_log_level_parse(&c.log_level, json_object_get_string(v),
				      &verr) < 0)
		return fm_err_set(err, FM_ESCHEMA, "%s: log_level: %s", name,
				  verr.msg);
	if (!cfg_is_ip(c.listen_address))
		return fm_err_set(err, FM_ESCHEMA,
				  "%s: listen.address: \"%s\" is not an IPv4 "
				  "or IPv6 address",
				  name, c.listen_address);
	if (mgmt_config_check(&c, &verr) < 0)
		return fm_err_set(err, FM_ESCHEMA, "%s: %s", name, verr.msg);
	*cfg = c;
	return 0;
}

int mgmt_config_load(struct mgmt_config *cfg, const char *path,
		     struct fm_err *err)
{
	struct json_object *doc = NULL;
	int ret;

	ret = fab_json_parse_file(&doc, path, err);
	if (ret < 0)
		return ret;
	ret = mgmt_config_from_json(cfg, doc, path, err);
	json_object_put(doc);
	return ret;
}

int mgmt_config_set_listen(struct mgmt_config *cfg, const char *spec,
			   struct fm_err *err)
{
	char addr[MGMT_ADDR_MAX];
	const char *colon, *port;
	bool bracketed = false;
	unsigned long p;
	size_t alen;
	char *end;

	colon = strrchr(spec, ':');
	if (!colon)
		return fm_err_set(err, FM_EINVAL,
				  "listen \"%s\": expected ADDR:PORT, "
				  "[ADDR]:PORT or :PORT",
				  spec);
	port = colon + 1;
	errno = 0;
	p = strtoul(port, &end, 10);
	if (!*port || *end || errno || p > 65535 || port[0] == '-' ||
	    port[0] == '+')
		return fm_err_set(err, FM_EINVAL,
				  "listen \"%s\": port \"%s\" is not 0..65535",
				  spec, port);
	alen = (size_t)(colon - spec);
	if (alen >= 2 && spec[0] == '[' && spec[alen - 1] == ']') {
		bracketed = true;
		spec++;
		alen -= 2;
	}
	if (alen >= sizeof(addr))
		return fm_err_set(err, FM_EINVAL,
				  "listen \"%s\": address too long", spec);
	memcpy(addr, spec, alen);
	addr[alen] = '\0';
	/* an IPv6 address needs brackets: "::1:80" is ambiguous */
	if (alen && (!cfg_is_ip(addr) || (strchr(addr, ':') && !bracketed)))
		return fm_err_set(err, FM_EINVAL,
				  "listen: \"%s\" is not an IPv4 address or a "
				  "bracketed IPv6 address",
				  addr);
	if (alen)
		memcpy(cfg->listen_address, addr, alen + 1);
	cfg->listen_port = (uint16_t)p;
	return 0;
}
