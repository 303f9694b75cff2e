/* SPDX-License-Identifier: MIT */
/*
 * fmp.h - FMP, the fabric management protocol between the switch firmware
 * (switchfw.h) and a fabric manager (mgmt/, or anyone's own): its wire
 * format, the firmware-side dispatcher, a client, and two transports
 * (an in-process call and a UNIX socket).  schemas/fmp.md documents the
 * protocol for someone writing their own fabric manager.
 *
 * Wire format.  Every message is a 16-byte header followed by a payload of
 * header.length bytes, at most SW_FMP_MAX_MSG bytes in all.  Every integer
 * is little-endian; every struct below is the exact wire layout of one
 * header or payload (no implicit padding: the _Static_asserts in fmp.c
 * check size and offsets), but buffers are never cast to them: the
 * layout tables and sw_fmp_encode()/sw_fmp_decode() move each field.
 *
 * A request carries version SW_FMP_VERSION, flags 0, an opcode, a tag the
 * response echoes, status 0.  The response carries the same opcode and tag,
 * SW_FMP_FLAG_RESPONSE and a status; with a status other than OK its
 * payload is a human-readable message (UTF-8, no NUL, at most
 * SW_FMP_ERR_MSG_MAX bytes) and nothing changed on the switch.  Reserved
 * fields must be zero in requests (else BAD_FIELD) and are zero in
 * responses.
 *
 * Enumerated fields carry the values of switchfw.h's enums (enum
 * sw_fn_state, sw_vppb_state, sw_unbind_mode, sw_event_type) and of
 * fabric/chip.h's enum fab_port_ctl.
 */
#ifndef MRFABRIC_SWITCHFW_FMP_H
#define MRFABRIC_SWITCHFW_FMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fabric/fm.h"
#include "switchfw/switchfw.h"

#define SW_FMP_VERSION 1
#define SW_FMP_HDR_SIZE 16
#define SW_FMP_MAX_MSG 4096 /* header + payload */
#define SW_FMP_MAX_PAYLOAD (SW_FMP_MAX_MSG - SW_FMP_HDR_SIZE)
#define SW_FMP_ERR_MSG_MAX 255

#define SW_FMP_FLAG_RESPONSE 0x01

enum sw_fmp_opcode {
	/* 0 is never a valid opcode */
	SW_FMP_OP_IDENTIFY = 1,
	SW_FMP_OP_GET_PORT_STATE,
	SW_FMP_OP_PORT_CONTROL,
	SW_FMP_OP_LIST_FUNCTIONS,
	SW_FMP_OP_GET_PARTITION,
	SW_FMP_OP_BIND,
	SW_FMP_OP_UNBIND,
	SW_FMP_OP_RESET_FUNCTION,
	SW_FMP_OP_GET_EVENTS,
	SW_FMP_OP_SAVE_CONFIG,
	SW_FMP_OP_LOAD_CONFIG,
	SW_FMP_OP_COUNT
};

enum sw_fmp_status {
	SW_FMP_ST_OK = 0,
	SW_FMP_ST_BAD_VERSION,	 /* header version not spoken */
	SW_FMP_ST_BAD_OPCODE,	 /* no such opcode */
	SW_FMP_ST_BAD_LENGTH,	 /* header truncated, or payload length wrong */
	SW_FMP_ST_BAD_FIELD,	 /* a field out of range, or reserved not 0 */
	SW_FMP_ST_NOT_FOUND,	 /* no such function, or no saved config */
	SW_FMP_ST_ALREADY_BOUND, /* bind: function already bound */
	SW_FMP_ST_NOT_BOUND,	 /* unbind: function not bound */
	SW_FMP_ST_BUSY,		 /* function unbinding or resetting */
	SW_FMP_ST_NO_SPACE,	 /* no free vPPB, flash full */
	SW_FMP_ST_STATE,	 /* not allowed in the object's state */
	SW_FMP_ST_INTERNAL,	 /* the firmware failed (out of memory, ...) */
	SW_FMP_ST_IO_ERROR,	 /* flash or hardware access failed */
	SW_FMP_ST_TIMEOUT,	 /* a wait ran out */
	SW_FMP_ST_UNSUPPORTED,	 /* valid but not supported by this switch */
	SW_FMP_ST_COUNT
};

/* Header (16 bytes), requests and responses. */
struct sw_fmp_hdr {
	uint8_t version; /* SW_FMP_VERSION */
	uint8_t flags;	 /* SW_FMP_FLAG_RESPONSE in responses */
	uint16_t opcode; /* enum sw_fmp_opcode */
	uint32_t tag;	 /* chosen by the requester, echoed */
	uint32_t length; /* payload bytes after the header */
	uint16_t status; /* responses: enum sw_fmp_status; requests: 0 */
	uint16_t reserved;
};

/* IDENTIFY: request payload empty; response: */
struct sw_fmp_identify_rsp {
	char name[32]; /* switch name, NUL-padded */
	uint16_t vendor;
	uint16_t device;
	uint32_t fw_version; /* major << 16 | minor */
	uint16_t nchips;
	uint16_t nports; /* all chips */
	uint16_t npartitions;
	uint16_t vppbs; /* per partition */
	uint32_t nfunctions;
	uint16_t fmp_version; /* SW_FMP_VERSION */
	uint16_t max_msg;     /* SW_FMP_MAX_MSG */
	uint64_t last_event_seq;
};

/* GET_PORT_STATE request. */
struct sw_fmp_port_req {
	uint8_t chip;
	uint8_t port;
	uint16_t reserved;
};

#define SW_FMP_PORT_UP 0x01
#define SW_FMP_PORT_TRAINING 0x02
#define SW_FMP_PORT_ENABLED 0x04

/* GET_PORT_STATE response. */
struct sw_fmp_port_state_rsp {
	uint8_t chip;
	uint8_t port;
	uint8_t flags; /* SW_FMP_PORT_* */
	uint8_t width; /* negotiated lanes, 0 when down */
	uint8_t speed; /* PCI_EXP_LNKCAP_SLS encoding, 0 when down */
	uint8_t reserved[3];
	uint64_t tlp_in;
	uint64_t tlp_out;
	uint64_t dropped;
	uint64_t ur;
	uint64_t trapped;
	uint64_t link_downs;
};

/* PORT_CONTROL request; response payload empty. */
struct sw_fmp_port_control_req {
	uint8_t chip;
	uint8_t port;
	uint8_t ctl; /* enum fab_port_ctl */
	uint8_t reserved;
};

/* LIST_FUNCTIONS request: functions in fid order from index @start. */
struct sw_fmp_list_req {
	uint32_t start; /* 0 .. total */
	uint16_t count; /* at most this many (capped at SW_FMP_FN_PAGE_MAX) */
	uint16_t reserved;
};

/* LIST_FUNCTIONS response: this, then @count sw_fmp_fn entries. */
struct sw_fmp_list_rsp {
	uint32_t total; /* functions of the fabric */
	uint16_t count; /* entries that follow */
	uint16_t reserved;
};

#define SW_FMP_FN_VF 0x01    /* a virtual function */
#define SW_FMP_FN_SRIOV 0x02 /* a PF with SR-IOV (the VF fields are set) */

struct sw_fmp_fn {
	uint32_t fid; /* SW_FID(chip, port, index) */
	uint16_t phys_rid;
	uint16_t vendor; /* a VF: the PF's vendor ID */
	uint16_t device; /* a VF: the VF Device ID */
	uint8_t flags;	 /* SW_FMP_FN_* */
	uint8_t state;	 /* enum sw_fn_state */
	uint32_t class_code;
	uint16_t total_vfs;
	uint16_t num_vfs;
	uint16_t vf_offset;
	uint16_t vf_stride;
	uint16_t vf_device;
	int16_t partition; /* owner, -1 if none */
	int16_t vppb;	   /* owner's vPPB, -1 if none */
	uint16_t reserved;
};

#define SW_FMP_FN_PAGE_MAX                                                     \
	((SW_FMP_MAX_PAYLOAD - sizeof(struct sw_fmp_list_rsp)) /               \
	 sizeof(struct sw_fmp_fn))

/* GET_PARTITION request. */
struct sw_fmp_part_req {
	uint16_t partition;
	uint16_t reserved;
};

#define SW_FMP_PART_LINK_UP 0x01

/* GET_PARTITION response: this, then @nvppbs sw_fmp_vppb entries. */
struct sw_fmp_part_rsp {
	uint16_t id;
	uint8_t chip; /* its upstream port */
	uint8_t port;
	uint8_t flags;	  /* SW_FMP_PART_* */
	uint8_t host_bus; /* host bus of the virtual upstream bridge */
	uint8_t nvppbs;
	uint8_t reserved;
};

#define SW_FMP_VPPB_SLOT_POWER 0x01

struct sw_fmp_vppb {
	uint32_t fid;	 /* SW_FID_NONE when empty */
	uint8_t state;	 /* enum sw_vppb_state */
	uint8_t sec_bus; /* host bus below it, 0 if not assigned */
	uint8_t flags;	 /* SW_FMP_VPPB_* */
	uint8_t reserved;
};

#define SW_FMP_VPPB_ANY 0xffff

/* BIND request. */
struct sw_fmp_bind_req {
	uint32_t fid;
	uint16_t partition;
	uint16_t vppb; /* SW_FMP_VPPB_ANY: the first empty one */
};

/* BIND response. */
struct sw_fmp_bind_rsp {
	uint16_t vppb; /* the vPPB used */
	uint16_t reserved;
};

/* UNBIND request; response payload empty. */
struct sw_fmp_unbind_req {
	uint32_t fid;
	uint8_t mode; /* enum sw_unbind_mode */
	uint8_t reserved[3];
};

/* RESET_FUNCTION request; response payload empty. */
struct sw_fmp_fid_req {
	uint32_t fid;
};

/* GET_EVENTS request: events with seq > @since, oldest first. */
struct sw_fmp_events_req {
	uint64_t since;
	uint16_t count; /* at most this many (capped at SW_FMP_EV_PAGE_MAX) */
	uint8_t reserved[6];
};

#define SW_FMP_EV_OVERFLOW 0x01 /* events after @since were overwritten */
#define SW_FMP_EV_MORE 0x02	/* more events follow the last one sent */

/* GET_EVENTS response: this, then @count sw_fmp_event entries. */
struct sw_fmp_events_rsp {
	uint64_t last_seq; /* the newest event's seq, 0 if none yet */
	uint16_t count;
	uint8_t flags; /* SW_FMP_EV_* */
	uint8_t reserved[5];
};

struct sw_fmp_event {
	uint64_t seq;
	uint64_t time_ns;
	uint16_t type; /* enum sw_event_type */
	int16_t partition;
	int16_t vppb;
	uint8_t chip;
	uint8_t port;
	uint32_t fid;
	uint32_t reserved;
	uint64_t detail;
};

#define SW_FMP_EV_PAGE_MAX                                                     \
	((SW_FMP_MAX_PAYLOAD - sizeof(struct sw_fmp_events_rsp)) /             \
	 sizeof(struct sw_fmp_event))

/* SAVE_CONFIG, LOAD_CONFIG: request and response payloads empty. */

/* ---------------------------------------------------------------------
 * Codec.  A layout describes one of the structs above field by field.
 */
struct sw_fmp_field {
	const char *name;
	uint16_t off;
	uint8_t size;  /* bytes */
	uint8_t kind;  /* enum sw_fmp_field_kind */
	uint8_t range; /* enum sw_fmp_range (requests) */
	uint32_t max;  /* SW_FMP_RANGE_MAX: the largest value allowed */
};

enum sw_fmp_field_kind {
	SW_FMP_F_UINT = 0, /* little-endian integer of 1, 2, 4 or 8 bytes */
	SW_FMP_F_BYTES,	   /* bytes as they are (names) */
	SW_FMP_F_RSVD,	   /* reserved: zero */
};

/* The ranges the dispatcher checks before a handler runs. */
enum sw_fmp_range {
	SW_FMP_RANGE_NONE = 0,
	SW_FMP_RANGE_MAX,	/* <= field.max */
	SW_FMP_RANGE_CHIP,	/* < nchips */
	SW_FMP_RANGE_PARTITION, /* < npartitions */
	SW_FMP_RANGE_VPPB,	/* < vppbs, or SW_FMP_VPPB_ANY */
	SW_FMP_RANGE_FN_START,	/* <= nfunctions */
	SW_FMP_RANGE_COUNT
};

struct sw_fmp_layout {
	const char *name;
	uint16_t size; /* wire bytes == sizeof the struct */
	uint16_t nfields;
	const struct sw_fmp_field *fields;
};

extern const struct sw_fmp_layout sw_fmp_layout_hdr;
extern const struct sw_fmp_layout sw_fmp_layout_identify_rsp;
extern const struct sw_fmp_layout sw_fmp_layout_port_req;
extern const struct sw_fmp_layout sw_fmp_layout_port_state_rsp;
extern const struct sw_fmp_layout sw_fmp_layout_port_control_req;
extern const struct sw_fmp_layout sw_fmp_layout_list_req;
extern const struct sw_fmp_layout sw_fmp_layout_list_rsp;
extern const struct sw_fmp_layout sw_fmp_layout_fn;
extern const struct sw_fmp_layout sw_fmp_layout_part_req;
extern const struct sw_fmp_layout sw_fmp_layout_part_rsp;
extern const struct sw_fmp_layout sw_fmp_layout_vppb;
extern const struct sw_fmp_layout sw_fmp_layout_bind_req;
extern const struct sw_fmp_layout sw_fmp_layout_bind_rsp;
extern const struct sw_fmp_layout sw_fmp_layout_unbind_req;
extern const struct sw_fmp_layout sw_fmp_layout_fid_req;
extern const struct sw_fmp_layout sw_fmp_layout_events_req;
extern const struct sw_fmp_layout sw_fmp_layout_events_rsp;
extern const struct sw_fmp_layout sw_fmp_layout_event;

/* Write @s (the struct @l describes) to @buf (l->size bytes). */
void sw_fmp_encode(uint8_t *buf, const struct sw_fmp_layout *l, const void *s);
/* Read l->size bytes of @buf into @s. */
void sw_fmp_decode(void *s, const struct sw_fmp_layout *l, const uint8_t *buf);

/* Request and response layouts of @op; NULL for an unknown opcode. */
struct sw_fmp_op_info {
	const char *name;		  /* "bind" */
	const struct sw_fmp_layout *req;  /* NULL: empty payload */
	const struct sw_fmp_layout *rsp;  /* NULL: empty payload */
	const struct sw_fmp_layout *item; /* entries after rsp, or NULL */
};
const struct sw_fmp_op_info *sw_fmp_op_info(unsigned op);

/* "ok", "bad version", ...; "unknown status" past the end. */
const char *sw_fmp_status_name(unsigned status);
/* The status the firmware answers for an -FM_E* code (positive or not). */
uint16_t sw_fmp_status_from_err(int code);
/* The FM_E* code (positive) a client reports for @status. */
int sw_fmp_status_to_err(unsigned status);

/* ---------------------------------------------------------------------
 * Firmware side.
 */

/*
 * Answer the request message @req (@len bytes, as received) for @fw:
 * validate it (header, opcode, payload length, reserved fields, ranges),
 * run it and write the response message into @rsp, which has room for
 * SW_FMP_MAX_MSG bytes.  Returns the response length.  Every request gets
 * a response; one that fails validation or is refused changes nothing.
 */
size_t sw_fmp_dispatch(uint8_t *rsp, struct sw_fw *fw, const uint8_t *req,
		       size_t len);

/*
 * What a server transport calls for each request: the response goes to
 * @rsp (SW_FMP_MAX_MSG bytes), its length is returned.
 */
typedef size_t sw_fmp_handle_fn(void *ctx, uint8_t *rsp, const uint8_t *req,
				size_t len);

/* sw_fmp_dispatch() as a handler; @ctx is the struct sw_fw. */
size_t sw_fmp_fw_handle(void *ctx, uint8_t *rsp, const uint8_t *req,
			size_t len);

/* ---------------------------------------------------------------------
 * Client side.  A transport carries one request message and brings back
 * one response message (blocking).
 */
typedef int sw_fmp_transact_fn(void *ctx, uint8_t *rsp, size_t *rsp_len,
			       const uint8_t *req, size_t req_len,
			       struct fm_err *err);

struct sw_fmp_transport {
	sw_fmp_transact_fn *transact;
	void *ctx;
};

/*
 * The in-process transport: a request is handed to the dispatcher of @fw
 * (borrowed) by a function call.
 */
void sw_fmp_transport_local(struct sw_fmp_transport *out, struct sw_fw *fw);

/*
 * Build a request message in @buf (SW_FMP_MAX_MSG bytes) with payload
 * @payload (@payload_len bytes, already encoded).  Returns its length.
 */
size_t sw_fmp_request_build(uint8_t *buf, uint16_t opcode, uint32_t tag,
			    const void *payload, size_t payload_len);

/*
 * Check that @msg (@len bytes) is the response to request (@opcode,
 * @tag) and fill @hdr.  Returns 0 when it is a well-formed response
 * (whatever its status), -FM_EPARSE when it is not.
 */
int sw_fmp_response_check(struct sw_fmp_hdr *hdr, const uint8_t *msg,
			  size_t len, uint16_t opcode, uint32_t tag,
			  struct fm_err *err);

struct sw_fmp_client;

/*
 * A client over @t (copied; its ctx is borrowed).  Requests are numbered
 * by tag; every call is one round trip and returns 0, the -FM_E* code of
 * the response status (SW_FMP_ST_NOT_BOUND: -FM_ESTATE, ...; see
 * sw_fmp_status_to_err()) with the switch's message in @err, -FM_EPARSE
 * for a malformed response, or the transport's error.
 */
int sw_fmp_client_new(struct sw_fmp_client **out,
		      const struct sw_fmp_transport *t, struct fm_err *err);
void sw_fmp_client_free(struct sw_fmp_client *c);

/* The status of the last response (SW_FMP_ST_*), OK before any. */
unsigned sw_fmp_client_last_status(const struct sw_fmp_client *c);

/*
 * One raw round trip: send @opcode with @req (@req_len encoded bytes) and
 * copy the response payload (at most @max bytes) to @rsp, its length to
 * *rsp_len.  A non-OK status returns its error code.
 */
int sw_fmp_client_call(void *rsp, size_t *rsp_len, size_t max,
		       struct sw_fmp_client *c, uint16_t opcode,
		       const void *req, size_t req_len, struct fm_err *err);

int sw_fmp_client_identify(struct sw_fmp_identify_rsp *out,
			   struct sw_fmp_client *c, struct fm_err *err);
int sw_fmp_client_port_state(struct sw_fmp_port_state_rsp *out,
			     struct sw_fmp_client *c, unsigned chip,
			     unsigned port, struct fm_err *err);
int sw_fmp_client_port_control(struct sw_fmp_client *c, unsigned chip,
			       unsigned port, enum fab_port_ctl ctl,
			       struct fm_err *err);
/*
 * Up to @max functions (any number: pages are fetched as needed) from
 * index @start into @out; *n gets how many, *total (may be NULL) the
 * fabric's count.
 */
int sw_fmp_client_list_functions(struct sw_fmp_fn *out, unsigned *n,
				 uint32_t *total, struct sw_fmp_client *c,
				 uint32_t start, unsigned max,
				 struct fm_err *err);
/* @vppbs has room for SW_MAX_VPPBS entries; out->nvppbs says how many. */
int sw_fmp_client_partition(struct sw_fmp_part_rsp *out,
			    struct sw_fmp_vppb *vppbs, struct sw_fmp_client *c,
			    unsigned part, struct fm_err *err);
/* @vppb < 0: the first empty one; the one used goes to *vppb_out. */
int sw_fmp_client_bind(unsigned *vppb_out, struct sw_fmp_client *c,
		       uint32_t fid, unsigned part, int vppb,
		       struct fm_err *err);
int sw_fmp_client_unbind(struct sw_fmp_client *c, uint32_t fid,
			 enum sw_unbind_mode mode, struct fm_err *err);
int sw_fmp_client_reset_function(struct sw_fmp_client *c, uint32_t fid,
				 struct fm_err *err);
/*
 * One page of events after @since (at most @max, capped at
 * SW_FMP_EV_PAGE_MAX) into @out; @page gets count, flags and last_seq.
 */
int sw_fmp_client_events(struct sw_fmp_event *out,
			 struct sw_fmp_events_rsp *page,
			 struct sw_fmp_client *c, uint64_t since, unsigned max,
			 struct fm_err *err);
int sw_fmp_client_save_config(struct sw_fmp_client *c, struct fm_err *err);
int sw_fmp_client_load_config(struct sw_fmp_client *c, struct fm_err *err);

/* ---------------------------------------------------------------------
 * UNIX socket transport.  A frame is a 4-byte little-endian length, then
 * that many bytes of message (at most SW_FMP_MAX_MSG).
 */
#define SW_FMP_FRAME_HDR 4
#define SW_FMP_UNIX_MAX_CLIENTS 64

struct sw_fmp_unix_server;

/*
 * Listen on @path (a stale socket file there is replaced; any other file
 * is an error) and answer each request frame with @fn(@ctx, ...).  The
 * server never blocks: poll sw_fmp_unix_server_fd() for reading and call
 * sw_fmp_unix_server_process() when it is readable.  A client that sends
 * a frame longer than SW_FMP_MAX_MSG gets a BAD_LENGTH response and is
 * disconnected; other clients are not affected.  Returns 0, -FM_EINVAL
 * (path too long), -FM_EEXIST (a non-socket file at @path), -FM_EIO.
 */
int sw_fmp_unix_server_new(struct sw_fmp_unix_server **out, const char *path,
			   sw_fmp_handle_fn *fn, void *ctx, struct fm_err *err);
/* Disconnect every client, close the socket and remove its file. */
void sw_fmp_unix_server_free(struct sw_fmp_unix_server *s);
/* One descriptor that is readable whenever the server has work. */
int sw_fmp_unix_server_fd(const struct sw_fmp_unix_server *s);
/*
 * Accept new clients, read their frames, answer complete requests and
 * write pending responses, without blocking.  Returns 0 or -FM_EIO when
 * the server itself failed (a client's failure only drops that client).
 */
int sw_fmp_unix_server_process(struct sw_fmp_unix_server *s,
			       struct fm_err *err);
unsigned sw_fmp_unix_server_clients(const struct sw_fmp_unix_server *s);

struct sw_fmp_unix_client;

/* What one call may take, send and receive, unless set otherwise. */
#define SW_FMP_UNIX_DEADLINE_MS 250

/*
 * Connect to a server at @path.  A UNIX connect never waits (it succeeds
 * or fails at once).  Returns 0, -FM_EINVAL (path too long), -FM_EIO (no
 * server there, backlog full).
 */
int sw_fmp_unix_client_connect(struct sw_fmp_unix_client **out,
			       const char *path, struct fm_err *err);
void sw_fmp_unix_client_close(struct sw_fmp_unix_client *c);
/* The deadline of each later call, in ms (0: SW_FMP_UNIX_DEADLINE_MS). */
void sw_fmp_unix_client_set_deadline(struct sw_fmp_unix_client *c, unsigned ms);
/*
 * Circuit breaker.  Any failed call (deadline passed, server hung up,
 * malformed frame) closes the socket, dropping whatever was half-read;
 * from then on every call fails at once with -FM_EUNAVAIL ("switch
 * unreachable since TIME (why)") until sw_fmp_unix_client_reconnect()
 * succeeds.  connected() says which state the client is in;
 * down_reason() is what took it down (NULL while connected).
 */
bool sw_fmp_unix_client_connected(const struct sw_fmp_unix_client *c);
const char *sw_fmp_unix_client_down_reason(const struct sw_fmp_unix_client *c);
/*
 * Open a fresh stream to the same path, without waiting; a no-op while
 * connected.  Returns 0 or -FM_EUNAVAIL (still no server accepting).
 * The server may still be unable to answer: the next call tells.
 */
int sw_fmp_unix_client_reconnect(struct sw_fmp_unix_client *c,
				 struct fm_err *err);
/* The client as a transport (borrowed: keep @c open while it is used). */
void sw_fmp_unix_client_transport(struct sw_fmp_transport *out,
				  struct sw_fmp_unix_client *c);
/*
 * Send one frame and wait for one frame back (@rsp has room for
 * SW_FMP_MAX_MSG bytes), all within the deadline.  -FM_ETIMEDOUT when
 * the deadline passed, -FM_EIO on socket failure or when the server hung
 * up, -FM_EPARSE for a response frame longer than SW_FMP_MAX_MSG: each
 * disconnects the client.  -FM_EUNAVAIL at once while disconnected.
 */
int sw_fmp_unix_client_transact(void *ctx, uint8_t *rsp, size_t *rsp_len,
				const uint8_t *req, size_t req_len,
				struct fm_err *err);

#endif
