#include "design/site_pairs.h"

#include <algorithm>

namespace halink::design {
namespace {

std::string join(const std::vector<std::string>& names) {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) out += (i == 0 ? "" : i + 1 == names.size() ? " and " : ", ") + names[i];
  return out;
}

std::vector<std::string> tunnels_of(const config::Topology& topology, const std::string& router) {
  std::vector<std::string> out;
  for (const config::Tunnel& t : topology.tunnels)
    if (t.end_at(router)) out.push_back(t.name);
  return out;
}

// The groups of routers one static ECMP route set spreads a site's flows
// over: the routers the LAN reaches directly, and each device's outside routers.
std::vector<std::pair<std::string, std::vector<const config::RouterConfig*>>> ecmp_groups(
    const config::Topology& topology, const config::Site& site) {
  std::vector<std::pair<std::string, std::vector<const config::RouterConfig*>>> groups;
  std::vector<std::string> behind_devices;
  for (const config::Device& d : topology.devices) {
    if (d.site != site.name) continue;
    std::vector<const config::RouterConfig*> routers;
    for (const std::string& name : d.outside)
      if (const config::RouterConfig* r = topology.find_router(name)) {
        routers.push_back(r);
        behind_devices.push_back(name);
      }
    groups.push_back({device_kind_name(d.kind) + std::string(" ") + d.name, routers});
  }
  std::vector<const config::RouterConfig*> on_lan;
  for (const config::RouterConfig& r : topology.routers)
    if (r.site == site.name && std::find(behind_devices.begin(), behind_devices.end(), r.name) == behind_devices.end())
      on_lan.push_back(&r);
  groups.push_back({"site " + site.name + "'s LAN", on_lan});
  return groups;
}

// The iBGP session between `router` and `sibling`, or nullptr.
const Session* ibgp_session(const SessionMap& sessions, const std::string& router, const std::string& sibling) {
  for (const Session& s : sessions.sessions) {
    if (s.shutdown() || s.a.implied() || s.b.implied()) continue;
    const bool pair = (s.a.router_name() == router && s.b.router_name() == sibling) ||
                      (s.a.router_name() == sibling && s.b.router_name() == router);
    if (pair && !s.a.neighbor->is_ebgp(s.a.router->local_as)) return &s;
  }
  return nullptr;
}

// The sibling's side of the session: it announces routes to `router`.
const config::Neighbor* sibling_side(const Session& s, const std::string& router) {
  return s.a.router_name() == router ? s.b.neighbor : s.a.neighbor;
}

}  // namespace

void analyse_site_pairs(const config::Topology& topology, const SessionMap& sessions, Report& report) {
  for (const config::Site& site : topology.sites) {
    for (const auto& [entry, group] : ecmp_groups(topology, site)) {
      std::vector<const config::RouterConfig*> with_tunnels;
      for (const config::RouterConfig* r : group)
        if (!tunnels_of(topology, r->name).empty()) with_tunnels.push_back(r);
      if (with_tunnels.size() < 2) continue;
      for (const config::RouterConfig* router : with_tunnels) {
        if (router->managed()) continue;
        std::vector<std::string> siblings, without_next_hop_self;
        bool covered = false;
        for (const config::RouterConfig* other : with_tunnels) {
          if (other == router) continue;
          siblings.push_back(other->name);
          const Session* s = ibgp_session(sessions, router->name, other->name);
          if (!s) continue;
          if (sibling_side(*s, router->name)->next_hop_self)
            covered = true;
          else
            without_next_hop_self.push_back(other->name);
        }
        if (covered) continue;
        const std::vector<std::string> tunnels = tunnels_of(topology, router->name);
        std::string message = router->name + ": when its tunnel" + (tunnels.size() > 1 ? "s " : " ") + join(tunnels) +
                              (tunnels.size() > 1 ? " are all" : " is") + " down, " + entry +
                              " keeps sending it its share of the flows by static ECMP (it cannot learn that " +
                              router->name + " has no route) and those flows are lost until a tunnel returns: ";
        std::string advice;
        if (without_next_hop_self.empty()) {
          message += router->name + " has no iBGP session with " + join(siblings) + " to hand them over.";
          advice = "add an iBGP session between " + router->name + " and " + join(siblings) +
                   " over the LAN: a lan_address on each router and, on each, a neighbour at the other's lan_address "
                   "with remote_as " + std::to_string(router->local_as) +
                   ", interface (the LAN's), next_hop_self: true, import: all, export: all "
                   "(examples/active-active.yaml)";
        } else {
          message += join(without_next_hop_self) + " announce" + (without_next_hop_self.size() > 1 ? "" : "s") +
                     " routes to " + router->name +
                     " over iBGP without next_hop_self, so their next hop is the far end of a tunnel " +
                     router->name + " cannot reach.";
          advice = "set next_hop_self: true on the neighbour " + router->name + " of " + join(without_next_hop_self);
        }
        std::vector<std::string> elements = {router->name};
        elements.insert(elements.end(), siblings.begin(), siblings.end());
        report.add({Severity::warning, FindingKind::no_site_pair_session, elements, message, advice});
      }
    }
  }
}

}  // namespace halink::design
