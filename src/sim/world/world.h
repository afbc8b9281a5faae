// A topology file turned into a simulated network: every router runs
// halink's real speaker and BFD (RouterNode); each site is one LAN node that
// owns the site's prefixes and spreads traffic over its routers (or the
// devices in front of them) with static ECMP routes; tunnels ride their
// underlay with its latency and bandwidth.
//
// Model assumptions, stated because they bound what `halink check` can say:
// - A site's LAN is one node: hosts, switches and a first-hop redundancy
//   protocol collapse into it. It reaches its routers by static ECMP routes
//   and stops using a router whose link lost carrier (the kernel's
//   ignore_routes_with_linkdown); a crashed router drops its LAN link.
// - Routers of one site that declare a lan_address also reach each other
//   directly over the LAN (a link per pair): the site pair's iBGP session
//   runs there, and a router forwards there when its best route is the
//   sibling's. Without lan_address a router has no way to its sibling.
//   The link's ends are named after the site pair neighbour's `interface`,
//   so a site of more than two routers naming one LAN interface is not
//   modelled (each pair link would need the same name).
// - Traffic towards a site is delivered when it reaches one of that site's
//   routers (the router's own site prefixes are local to it): devices behind
//   the routers are on the path only for traffic leaving the site.
// - Provider-managed gateways run halink's speaker with the configured
//   settings; their profile limits are checked by `halink check`, not modelled.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "config/topology.h"
#include "sim/simulation.h"
#include "sim/world/router_node.h"

namespace halink::sim {

struct SiteFlows {
  std::string from_site;
  std::string to_site;
  std::vector<FlowId> flows;
};

class World {
public:
  // Builds the network; flows_per_direction flows between every ordered pair of sites.
  static Result<std::unique_ptr<World>> build(const config::Topology& topology, SimulationConfig config,
                                              int flows_per_direction = 64);

  Simulation& simulation() { return *sim_; }
  const config::Topology& topology() const { return topology_; }
  const std::vector<SiteFlows>& flows() const { return flows_; }
  std::vector<RouterNode*> routers() const { return routers_; }
  std::optional<NodeId> node(const std::string& name) const { return sim_->network().find_node(name); }
  RouterNode* router(const std::string& name) const;

  // Every configured BGP session is Established.
  bool converged() const;
  // Runs until converged() (or `limit`); returns how long it took, or nullopt.
  std::optional<Duration> run_until_converged(Duration limit);
  // Share of all flow volume per tunnel since reset_volumes(), per direction.
  struct TunnelShare {
    std::string tunnel;
    std::string underlay;
    double share_from_a = 0;  // of traffic leaving the a-end's site
    double share_from_b = 0;
  };
  std::vector<TunnelShare> tunnel_shares() const;

  // A configuration change: each named router reloads its section of
  // `changed` (RouterNode::reload); the topology in force becomes `changed`.
  // Returns one line per router whose reload was refused (it keeps running
  // with its old section, as halinkd does).
  std::vector<std::string> reload(const config::Topology& changed, const std::vector<std::string>& routers);

private:
  World() = default;
  config::Topology topology_;
  std::unique_ptr<Simulation> sim_;
  std::vector<RouterNode*> routers_;
  std::vector<SiteFlows> flows_;
};

}  // namespace halink::sim
