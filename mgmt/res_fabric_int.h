/* SPDX-License-Identifier: MIT */
/*
 * res_fabric_int.h - what the read side of the fabric tree (res_fabrics.c,
 * res_chassis.c, res_systems.c, res_managers.c) shares, and the Zone body
 * for the families that act on zones.
 *
 * Identifiers and URIs come from mgmt/fabric.h; bodies are built from
 * the model after mgmt_res_fabric_sync() (which only refreshes the
 * daemon's cached copy of the switch's state: GET stays free of side
 * effects a client could see).
 *
 * res_fabrics.c owns the routes of the fabric tree and serves GET only.
 * A family that serves another method on one of those paths (POST to
 * the Zones collection) sets that method's op in res_fabrics.c's route
 * table to a handler it exports: the router refuses two routes with the
 * same pattern.
 */
#ifndef MRFABRIC_MGMT_RES_FABRIC_INT_H
#define MRFABRIC_MGMT_RES_FABRIC_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fabric/fm.h"
#include "mgmt/fabric.h"
#include "mgmt/router_int.h"

struct json_object;

#define MGMT_ZONE_TYPE "#Zone.v1_6_3.Zone"
#define MGMT_ZONE_COLLECTION_TYPE "#ZoneCollection.ZoneCollection"

/*
 * The fabric model of @ctx, brought up to date (mgmt_fabric_sync()).
 * -FM_ENOENT naming @uri when the daemon has no switch attached, so
 * every fabric resource answers 404 then; -FM_EIO when the switch does
 * not answer or contradicts itself.
 */
int mgmt_res_fabric_sync(struct mgmt_fabric **out, struct mgmt_ctx *ctx,
			 const char *uri, struct fm_err *err);

/*
 * Set @key of @obj to the array @links (a reference taken, also on
 * failure; NULL counts as out of memory) and "@key@odata.count" to its
 * length.  0 or -FM_ENOMEM.
 */
int mgmt_res_set_links(struct json_object *obj, const char *key,
		       struct json_object *links);
/* Append {"@odata.id": @uri} to array @links.  0 or -FM_ENOMEM. */
int mgmt_res_link_append(struct json_object *links, const char *uri);

/* A Status object {"State": @state, "Health": "OK"}, NULL on no memory. */
struct json_object *mgmt_res_status_new(const char *state);

/* Count and URI of the members of a collection numbered 0..count-1. */
typedef size_t mgmt_res_member_count_fn(const struct mgmt_fabric *f);
typedef int mgmt_res_member_uri_fn(char *out, size_t len, unsigned index);

/*
 * Answer GET of a collection whose members are numbered 0..count(f)-1
 * (zones, switches, systems).  With no switch attached it is 404 when
 * @need_switch, else an empty collection.  Returns 0 or -FM_E*.
 */
int mgmt_res_index_collection(struct mgmt_resp *resp, struct mgmt_ctx *ctx,
			      const struct mgmt_req *req, const char *type,
			      const char *name, mgmt_res_member_count_fn *count,
			      mgmt_res_member_uri_fn *uri, bool need_switch,
			      struct fm_err *err);

/*
 * The manufacturer of PCI vendor ID @vendor ("Mellanox Technologies"),
 * NULL for one this service does not know.
 */
const char *mgmt_res_vendor_name(uint16_t vendor);

/*
 * The Zone body of partition @part as GET serves it: @odata.id,
 * @odata.type MGMT_ZONE_TYPE, Id "Zone-<part>", Name, ZoneType
 * ZoneOfEndpoints, Status, and Links.Endpoints: the host endpoint of
 * the partition first, then the function endpoints bound to it (owner
 * @part, in fid order, whatever their binding state), and Actions
 * (#Zone.AddEndpoint, #Zone.RemoveEndpoint with their targets, served by
 * res_zones_actions.c).  *out is a new reference.  -FM_ENOENT when the fabric
 * has no partition @part, -FM_ENOMEM.
 */
int mgmt_zone_body_new(struct json_object **out, const struct mgmt_fabric *f,
		       unsigned part, struct fm_err *err);

/*
 * POST to the Zones collection (served by res_zones_actions.c, routed by
 * res_fabrics.c): bind the function endpoints of Links.Endpoints to the
 * zone of the one host endpoint listed there, all or none; 201 (200 when
 * all already were members) with Location and the Zone body.  400 for a
 * bad body, 409 when a function is in another zone or moving; the
 * semantics are in schemas/redfish-oem.md.
 */
int mgmt_zone_collection_post(struct mgmt_resp *resp, struct mgmt_ctx *ctx,
			      const struct mgmt_req *req, struct fm_err *err);

#endif
