/* SPDX-License-Identifier: MIT */
/*
 * ctl_int.h - mrfabricctl, the command-line client of mrfabricd's Redfish
 * API.  Private to mgmt/ctl: main.c parses the global options and runs one
 * command from its table (one file per command family, ctl_cmd_*.c);
 * ctl_http.c speaks HTTP(S) through libcurl and keeps the session file;
 * ctl_model.c reads the fabric's resources and resolves friendly names.
 *
 * mrfabricctl is a client of the REST API: it never links the daemon's
 * code, only the fabric base (for `discover`).
 *
 * Every command returns an exit status (enum ctl_exit), which main()
 * returns: scripts rely on these numbers, --help and the README list them.
 * An error is printed once, where the command handles it, as
 * "mrfabricctl: <what>: <Redfish message>".
 */
#ifndef MRFABRIC_MGMT_CTL_INT_H
#define MRFABRIC_MGMT_CTL_INT_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

#define CTL_PROG "mrfabricctl"
#define CTL_URL_DEFAULT "https://127.0.0.1:8080"
#define CTL_URI_MAX 512
#define CTL_TOKEN_MAX 256
#define CTL_MSG_MAX 512

/* The exit statuses scripts can rely on. */
enum ctl_exit {
	CTL_EXIT_OK = 0,
	CTL_EXIT_USAGE = 1,    /* bad command line */
	CTL_EXIT_CONNECT = 2,  /* could not connect, TLS failure */
	CTL_EXIT_AUTH = 3,     /* 401 or 403 */
	CTL_EXIT_NOTFOUND = 4, /* 404 */
	CTL_EXIT_CONFLICT = 5, /* 409 or 412 */
	CTL_EXIT_TASK = 6,     /* the task ended in failure */
	CTL_EXIT_SERVER = 7,   /* any other error answer, bad response */
};

/* Global options (main.c). */
struct ctl_opts {
	const char *url; /* scheme://host[:port], no path */
	const char *user;
	const char *password_file;
	const char *cacert;
	bool insecure;
	bool json;
	long timeout_s; /* per request, 0: none */
};

/* The session kept by `login` (ctl_http.c). */
struct ctl_session {
	char token[CTL_TOKEN_MAX]; /* X-Auth-Token */
	char uri[CTL_URI_MAX];	   /* the Session resource, for logout */
	char user[128];
};

/* One run of mrfabricctl: options and the connection. */
struct ctl {
	struct ctl_opts opts;
	char *password;		 /* from --password-file or MRFABRIC_PASSWORD */
	char session_path[4096]; /* "" until ctl_http_init() */
	bool have_session;
	struct ctl_session session;
	void *curl; /* CURL *, reused: one connection for a whole command */
};

/* An HTTP answer: status, the JSON body (NULL when empty or not JSON,
 * owned: ctl_resp_fini() puts it), Location and X-Auth-Token headers. */
struct ctl_resp {
	long status;
	struct json_object *body;
	char location[CTL_URI_MAX];
	char token[CTL_TOKEN_MAX];
};

/*
 * Command table entry: @fn runs the command with its own arguments
 * (argv[0] is the command name) and returns an exit status.  @usage is the
 * synopsis, @summary what `mrfabricctl --help` says of it, @help the full
 * `mrfabricctl COMMAND --help` text after the synopsis.
 */
struct ctl_cmd {
	const char *name;
	int (*fn)(struct ctl *c, int argc, char **argv);
	const char *usage;
	const char *summary; /* one line for the command list */
	const char *help;
	bool network; /* needs ctl_http_init() */
};

extern const struct ctl_cmd ctl_cmd_login, ctl_cmd_logout, ctl_cmd_topology,
	ctl_cmd_functions, ctl_cmd_assign, ctl_cmd_unassign, ctl_cmd_move,
	ctl_cmd_events, ctl_cmd_dot, ctl_cmd_discover;

/* ---- ctl_http.c ---- */

/*
 * Prepare @c for requests: libcurl handle, TLS options, the session file
 * path for the URL's host:port, and the session in it when there is one.
 * Prints and returns CTL_EXIT_USAGE for a bad URL, CTL_EXIT_SERVER when
 * libcurl cannot start; else 0.
 */
int ctl_http_init(struct ctl *c);
/* Release what ctl_http_init() took (safe on a zeroed @c). */
void ctl_http_fini(struct ctl *c);

/*
 * @method @path (an absolute path on the service, "/redfish/v1/...") with
 * the JSON text @body (NULL: none), authenticated with the session token
 * if there is a session, else Basic with --user and the password.  Fills
 * @out (ctl_resp_fini() it, also after an error).  Any HTTP answer returns
 * 0; a connection or TLS failure prints "mrfabricctl: <what>: <reason>"
 * and returns CTL_EXIT_CONNECT.
 */
int ctl_http_request(struct ctl_resp *out, struct ctl *c, const char *what,
		     const char *method, const char *path, const char *body);

/*
 * GET @path and require 200 with a JSON object: *out gets it (owned).
 * On anything else prints the error and returns its exit status.
 */
int ctl_http_get(struct json_object **out, struct ctl *c, const char *what,
		 const char *path);

/*
 * Streaming GET of @path (SSE): every chunk of a 200 body is handed to
 * @fn as it arrives; @fn returns false to stop.  @last_event_id ("" for
 * none) goes out as Last-Event-ID.  *status gets the HTTP status (0 when
 * there was no answer).  Returns 0 when the stream ended, @fn stopped it,
 * or the service answered an error (then @reason, CTL_MSG_MAX bytes, gets
 * its Redfish message); CTL_EXIT_CONNECT when the connection failed or
 * dropped (@reason says why).  Nothing is printed.
 */
int ctl_http_stream(long *status, char *reason, struct ctl *c, const char *path,
		    const char *last_event_id,
		    bool (*fn)(void *arg, const char *data, size_t len),
		    void *arg);

/* Free what @r holds and zero it. */
void ctl_resp_fini(struct ctl_resp *r);

/* The exit status for an HTTP error status. */
int ctl_http_status_exit(long status);

/*
 * Print "mrfabricctl: @what: <message>" for an error answer (the
 * messages of its @Message.ExtendedInfo, else error.message, else the
 * status) and return its exit status.
 */
int ctl_http_fail(const struct ctl_resp *r, const char *what);

/* Write @s as the session file (mode 0600, directory 0700). */
int ctl_session_save(struct ctl *c, const struct ctl_session *s);
/* Remove the session file; 0 also when there was none. */
int ctl_session_remove(struct ctl *c);

/* ---- ctl_model.c ---- */

/* Parts of the model to read. */
#define CTL_MODEL_SWITCHES 0x01u
#define CTL_MODEL_PORTS 0x02u /* with CTL_MODEL_SWITCHES */
#define CTL_MODEL_ENDPOINTS 0x04u
#define CTL_MODEL_ZONES 0x08u
#define CTL_MODEL_DEVICES 0x10u /* PCIeDevices with their PCIeFunctions */
#define CTL_MODEL_SYSTEMS 0x20u
#define CTL_MODEL_ALL 0x3fu

/* Where the model puts a Switch's Ports and a PCIeDevice's functions
 * (the resources' own "Ports" and "PCIeFunctions" stay the links). */
#define CTL_MODEL_PORT_MEMBERS "PortMembers"
#define CTL_MODEL_FUNCTION_MEMBERS "FunctionMembers"

/*
 * The fabric as the commands show it, read with one GET per resource:
 *   {"Fabric": {...}, "Switches": [{...Switch, "PortMembers": [...]}],
 *    "Endpoints": [...], "Zones": [...], "Systems": [...],
 *    "PCIeDevices": [{...PCIeDevice, "FunctionMembers": [...]}]}
 * with the members @parts selects (CTL_MODEL_*; "Fabric" whenever one of
 * the Fabric's collections is read).  Each member is the resource exactly
 * as served.  *out is owned by the caller.  Prints and returns an exit
 * status on failure.
 */
int ctl_model_load(struct json_object **out, struct ctl *c, unsigned parts);

/*
 * One row of `functions`, from a PCIeFunction and its device: all
 * strings borrowed from the model.
 */
struct ctl_fn_row {
	const char *endpoint; /* "F-0-2-1", "" for the fabric's PF */
	const char *device;   /* "0-2" */
	const char *kind;     /* "PF" or "VF" */
	int index;	      /* FunctionId */
	const char *vendor;   /* "0x15b3" */
	const char *devid;    /* "0x101e" */
	const char *owner;    /* "Blade-1", "free" or "fabric" */
	const char *state;    /* Oem.MrFabric.State */
};

/* The Endpoint with @odata.id @uri in @model, or NULL (borrowed). */
struct json_object *ctl_model_endpoint(struct json_object *model,
				       const char *uri);
/* The System Id a host (initiator) Endpoint stands for, or NULL. */
const char *ctl_model_endpoint_system(struct json_object *ep);

/* Fill @row from @fn (a PCIeFunction) of @dev; false when it lacks Id. */
bool ctl_model_fn_row(struct ctl_fn_row *row, struct json_object *dev,
		      struct json_object *fn);

/* Member @key of @o if it is an array, else NULL (borrowed). */
struct json_object *ctl_json_array(struct json_object *o, const char *key);
/* Length of array @a; 0 for NULL. */
size_t ctl_json_len(struct json_object *a);

/* The path of @uri: itself when it is one, else what follows the
 * authority of an absolute URL ("" when nothing does).  Borrowed. */
const char *ctl_uri_path(const char *uri);

/* The last path segment of @uri ("Blade-1" of ".../Systems/Blade-1"). */
const char *ctl_uri_leaf(const char *uri);

/* The "@odata.id" of @o's member @key ({"@odata.id": ...}), or NULL. */
const char *ctl_json_link(struct json_object *o, const char *key);

/* The string member @key of @o, or @dflt. */
const char *ctl_json_str(struct json_object *o, const char *key,
			 const char *dflt);

/*
 * Friendly names.  A blade is "Blade-1", "1" or "Zone-1"; *zone gets
 * the zone's URI, *blade the blade's Id.  A function is an Endpoint Id
 * ("F-0-2-3") or its URI; *uri gets the endpoint's URI.  Both return 0,
 * or CTL_EXIT_USAGE (printed) for a name of neither form; whether the
 * resource exists is the server's to say.
 */
int ctl_name_blade(char *zone, size_t zone_len, char *blade, size_t blade_len,
		   const char *name);
int ctl_name_function(char *uri, size_t len, const char *name);

/* ---- ctl_cmd.c ---- */

/* Print @cmd's --help text; returns CTL_EXIT_OK. */
int ctl_cmd_help(const struct ctl_cmd *cmd);
/*
 * Options of a command that takes only --help and exactly @nargs
 * arguments (from optind on return).  Returns -1 to go on, else the exit
 * status (0 after --help; usage errors printed).
 */
int ctl_cmd_plain_opts(const struct ctl_cmd *cmd, int argc, char **argv,
		       int nargs);
/* Print a usage error of @cmd (NULL: the global command line); returns
 * CTL_EXIT_USAGE. */
int ctl_usage_error(const struct ctl_cmd *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/*
 * The usage error of getopt_long()'s answer @ch that names no option of
 * @cmd: ':' (an option without its argument) or anything else (an unknown
 * option), the option being argv[optind - 1].  CTL_EXIT_USAGE.
 */
int ctl_opt_error(const struct ctl_cmd *cmd, int ch, char **argv);
/*
 * After the options: a usage error when arguments are left (a command
 * that takes none), else -1 to go on.
 */
int ctl_opt_no_args(const struct ctl_cmd *cmd, int argc, char **argv);

/* Print a JSON value on stdout (pretty, one document), for --json. */
void ctl_print_json(struct json_object *o);

#endif
