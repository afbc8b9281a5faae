// The routers of one site as a pair: can a router that lost every tunnel
// still deliver what the site's LAN keeps sending it?
//
// A site's LAN (or a device in front of the routers) reaches its routers by
// static / ECMP routes: it does not learn that one of them has no route any
// more, so it keeps hashing a share of the flows to it. Those flows are lost
// unless the router can hand them to a sibling that still has a tunnel: an
// iBGP session between the two over the LAN in which the sibling announces
// its eBGP-learned routes with itself as NEXT_HOP (next_hop_self). The
// session's routes lose to the router's own eBGP routes (RFC 4271 §9.1.2.2
// d), so they only carry traffic once its tunnels are gone. Without
// next_hop_self the sibling's routes keep the far end of its tunnel as next
// hop, which the router cannot reach.
//
// One finding per router that lacks such a route from any sibling reached by
// the same static ECMP. Provider-managed gateways are skipped: the provider
// routes between its instances.
#pragma once

#include "config/topology.h"
#include "design/report.h"
#include "design/sessions.h"

namespace halink::design {

void analyse_site_pairs(const config::Topology& topology, const SessionMap& sessions, Report& report);

}  // namespace halink::design
