/* SPDX-License-Identifier: MIT */
/*
 * fabric.h - the daemon's model of the fabric, as the switch firmware
 * reports it over FMP, and the Redfish identifiers every resource family
 * uses for its objects.
 *
 * The model is a snapshot: Identify, List Functions (paged), Get Partition
 * for each partition and Get Port State for each port.  mgmt_fabric_new()
 * takes the first one; mgmt_fabric_sync() takes a new one when the
 * switch's event log moved (every bind, unbind, FLR, link change logs an
 * event), so a handler calls it first and then reads the model with the
 * cheap lookups below.  mgmt_fabric_refresh() takes one unconditionally
 * (after an operation that changed the switch, or to recover from an
 * overflowed event log).  Everything runs on the daemon's loop: no locks.
 *
 * Lookups return pointers into the snapshot (borrowed): they stay valid
 * until the next sync or refresh that reloads it.
 *
 * Redfish identifiers (stable for a given chassis description: they come
 * from chip, port, partition and SR-IOV numbers, never from the order of
 * a listing).  Numbers are decimal without leading zeros; the parse
 * functions accept exactly the strings the format functions produce.
 *
 *   object                     Id                    URI
 *   fabric                     "PCIe"                /redfish/v1/Fabrics/PCIe
 *   switch chip c              "<c>"                 .../Fabrics/PCIe/Switches/<c>
 *   port p of chip c           "<p>"                 .../Switches/<c>/Ports/<p>
 *   host endpoint, partition n "Host-<n>"            .../Fabrics/PCIe/Endpoints/Host-<n>
 *   function endpoint          "F-<c>-<p>-<i>"       .../Fabrics/PCIe/Endpoints/F-<c>-<p>-<i>
 *   zone of partition n        "Zone-<n>"            .../Fabrics/PCIe/Zones/Zone-<n>
 *   enclosure                  "Enclosure"           /redfish/v1/Chassis/Enclosure
 *   blade of partition n       "Blade-<n>"           /redfish/v1/Chassis/Blade-<n>,
 *                                                    /redfish/v1/Systems/Blade-<n>
 *   device on port p of chip c "<c>-<p>"             .../Chassis/Enclosure/PCIeDevices/<c>-<p>
 *   function i of that device  "<i>"                 .../PCIeDevices/<c>-<p>/PCIeFunctions/<i>
 *   the fabric manager         "FabricManager"       /redfish/v1/Managers/FabricManager
 *
 * where fid = SW_FID(c, p, i): i is 0 for the PF (or the whole device)
 * and n for VF n.  A partition is one host-facing upstream port, so
 * one blade, one host endpoint and one zone per partition.  Function
 * endpoints exist for the assignable functions only (every function but
 * an SR-IOV PF, which the fabric owns: mgmt_fabric_fn_assignable()).
 */
#ifndef MRFABRIC_MGMT_FABRIC_H
#define MRFABRIC_MGMT_FABRIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fabric/fm.h"
#include "switchfw/fmp.h"

#define MGMT_FABRIC_ID "PCIe"
#define MGMT_FABRIC_URI "/redfish/v1/Fabrics/" MGMT_FABRIC_ID
#define MGMT_FABRIC_ENCLOSURE_ID "Enclosure"
#define MGMT_FABRIC_ENCLOSURE_URI                                              \
	"/redfish/v1/Chassis/" MGMT_FABRIC_ENCLOSURE_ID
#define MGMT_FABRIC_MANAGER_ID "FabricManager"
#define MGMT_FABRIC_MANAGER_URI "/redfish/v1/Managers/" MGMT_FABRIC_MANAGER_ID

/* Room for any identifier or URI below, with its NUL. */
#define MGMT_FABRIC_ID_MAX 32
#define MGMT_FABRIC_URI_MAX 160

/* What a switch port is cabled to (Redfish Port.PortType). */
enum mgmt_port_role {
	MGMT_PORT_UPSTREAM = 0, /* a host (a partition's upstream port) */
	MGMT_PORT_DOWNSTREAM,	/* an endpoint device, or an empty slot */
	MGMT_PORT_INTERSWITCH,	/* another switch chip */
};

/* One port of one chip in the snapshot. */
struct mgmt_fabric_port {
	uint8_t chip;
	uint8_t port;
	uint8_t role;	   /* enum mgmt_port_role */
	int16_t partition; /* MGMT_PORT_UPSTREAM: its partition, else -1 */
	/* MGMT_PORT_DOWNSTREAM with a device: fid of its function 0, else
	 * SW_FID_NONE */
	uint32_t device;
	struct sw_fmp_port_state_rsp state; /* at the snapshot */
};

/* One partition in the snapshot. */
struct mgmt_fabric_part {
	struct sw_fmp_part_rsp info;
	struct sw_fmp_vppb vppb[SW_MAX_VPPBS]; /* info.nvppbs of them */
};

struct mgmt_fabric;

/*
 * Model the switch behind @fmp (borrowed: it must outlive the model) and
 * take the first snapshot.  Returns 0, -FM_ENOMEM, or the FMP call's
 * error (-FM_EIO, -FM_EPARSE, ...); *out is NULL on failure.
 */
int mgmt_fabric_new(struct mgmt_fabric **out, struct sw_fmp_client *fmp,
		    struct fm_err *err);
void mgmt_fabric_free(struct mgmt_fabric *f);

/*
 * Take a new snapshot now.  On failure the previous snapshot stays (and
 * lookups keep working on it); the error is the FMP call's or -FM_ENOMEM
 * (-FM_EPARSE when the switch contradicts itself, e.g. a function on a
 * chip it did not identify).
 */
int mgmt_fabric_refresh(struct mgmt_fabric *f, struct fm_err *err);

/*
 * One Identify round trip; take a new snapshot (as mgmt_fabric_refresh())
 * when the switch logged an event since the last one.  Cheap when nothing
 * changed.  Same returns.
 */
int mgmt_fabric_sync(struct mgmt_fabric *f, struct fm_err *err);

/*
 * Number of snapshots taken (1 after mgmt_fabric_new()): a version that
 * changes whenever the model may have.
 */
uint64_t mgmt_fabric_generation(const struct mgmt_fabric *f);

/* The FMP client the model reads (borrowed from mgmt_fabric_new()). */
struct sw_fmp_client *mgmt_fabric_client(const struct mgmt_fabric *f);

/* Identify answer of the last snapshot (switch name, IDs, counts). */
const struct sw_fmp_identify_rsp *
mgmt_fabric_identity(const struct mgmt_fabric *f);

/* Functions, in fid order (chip, port, index). */
size_t mgmt_fabric_fn_count(const struct mgmt_fabric *f);
const struct sw_fmp_fn *mgmt_fabric_fn(const struct mgmt_fabric *f, size_t i);
/* The function @fid, NULL when the fabric has none. */
const struct sw_fmp_fn *mgmt_fabric_fn_find(const struct mgmt_fabric *f,
					    uint32_t fid);
/* True for a function a host can be given (not an SR-IOV PF). */
bool mgmt_fabric_fn_assignable(const struct sw_fmp_fn *fn);

/*
 * Devices (one per downstream port with an endpoint): the function 0 of
 * each, in fid order.  A device's functions are its function 0 followed
 * by its VFs: mgmt_fabric_device_fns() gives the index of function 0 in
 * the function list and how many functions follow from there.
 */
size_t mgmt_fabric_device_count(const struct mgmt_fabric *f);
const struct sw_fmp_fn *mgmt_fabric_device(const struct mgmt_fabric *f,
					   size_t i);
/* -FM_ENOENT when no device sits on (@chip, @port). */
int mgmt_fabric_device_fns(size_t *first, size_t *n,
			   const struct mgmt_fabric *f, unsigned chip,
			   unsigned port, struct fm_err *err);

/* Partitions 0 .. count-1 (one per host, blade, zone). */
size_t mgmt_fabric_part_count(const struct mgmt_fabric *f);
/* NULL when @part is out of range. */
const struct mgmt_fabric_part *mgmt_fabric_part(const struct mgmt_fabric *f,
						unsigned part);

/*
 * The functions partition @part owns (bound to it, or being unbound from
 * it): *idx gets their indexes in the function list (for
 * mgmt_fabric_fn()), in fid order; returns how many (0 for a partition
 * out of range).  Borrowed like the other lookups.
 */
size_t mgmt_fabric_part_fns(const size_t **idx, const struct mgmt_fabric *f,
			    unsigned part);

/* Chips 0 .. count-1 and their ports (numbered 0 .. n-1 per chip). */
size_t mgmt_fabric_chip_count(const struct mgmt_fabric *f);
size_t mgmt_fabric_port_count(const struct mgmt_fabric *f, unsigned chip);
/* NULL when there is no such chip or port. */
const struct mgmt_fabric_port *mgmt_fabric_port(const struct mgmt_fabric *f,
						unsigned chip, unsigned port);

/* "UpstreamPort", "DownstreamPort", "InterswitchPort" (Port.PortType). */
const char *mgmt_fabric_port_role_name(enum mgmt_port_role role);

/*
 * Identifiers and URIs (the table above).  Each writes a NUL-terminated
 * string into @out (@len bytes: MGMT_FABRIC_ID_MAX or
 * MGMT_FABRIC_URI_MAX are always enough) and returns its length, or
 * -FM_ERANGE when it does not fit (then @out holds "").
 */
int mgmt_fabric_switch_id(char *out, size_t len, unsigned chip);
int mgmt_fabric_port_id(char *out, size_t len, unsigned port);
int mgmt_fabric_host_endpoint_id(char *out, size_t len, unsigned part);
int mgmt_fabric_fn_endpoint_id(char *out, size_t len, uint32_t fid);
int mgmt_fabric_zone_id(char *out, size_t len, unsigned part);
int mgmt_fabric_blade_id(char *out, size_t len, unsigned part);
/* The device of @fid (its chip and port), and @fid within it. */
int mgmt_fabric_device_id(char *out, size_t len, uint32_t fid);
int mgmt_fabric_fn_id(char *out, size_t len, uint32_t fid);

int mgmt_fabric_switch_uri(char *out, size_t len, unsigned chip);
int mgmt_fabric_port_uri(char *out, size_t len, unsigned chip, unsigned port);
int mgmt_fabric_host_endpoint_uri(char *out, size_t len, unsigned part);
int mgmt_fabric_fn_endpoint_uri(char *out, size_t len, uint32_t fid);
int mgmt_fabric_zone_uri(char *out, size_t len, unsigned part);
int mgmt_fabric_chassis_uri(char *out, size_t len, unsigned part);
int mgmt_fabric_system_uri(char *out, size_t len, unsigned part);
int mgmt_fabric_device_uri(char *out, size_t len, uint32_t fid);
int mgmt_fabric_fn_uri(char *out, size_t len, uint32_t fid);

/*
 * Parse an identifier back.  Syntax only (the model is not consulted:
 * look the result up to know whether the object exists).  Returns 0 or
 * -FM_ENOENT when @id is not exactly such an identifier (a Redfish
 * client that names a resource that cannot exist gets 404).
 */
int mgmt_fabric_switch_id_parse(unsigned *chip, const char *id,
				struct fm_err *err);
int mgmt_fabric_port_id_parse(unsigned *port, const char *id,
			      struct fm_err *err);
/*
 * An endpoint: a host one sets *is_host, *part and *fid = SW_FID_NONE; a
 * function one clears *is_host, sets *fid and *part = -1.
 */
int mgmt_fabric_endpoint_id_parse(bool *is_host, int *part, uint32_t *fid,
				  const char *id, struct fm_err *err);
int mgmt_fabric_zone_id_parse(unsigned *part, const char *id,
			      struct fm_err *err);
int mgmt_fabric_blade_id_parse(unsigned *part, const char *id,
			       struct fm_err *err);
/* A device id gives *fid = SW_FID(chip, port, 0). */
int mgmt_fabric_device_id_parse(uint32_t *fid, const char *id,
				struct fm_err *err);
/* A function id within the device of @device_fid gives that device's fid
 * with index @id. */
int mgmt_fabric_fn_id_parse(uint32_t *fid, uint32_t device_fid, const char *id,
			    struct fm_err *err);

#endif
