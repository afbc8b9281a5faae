#include "design/spof.h"

#include <algorithm>
#include <map>

namespace halink::design {

namespace {

std::string join(const std::vector<std::string>& items, const std::string& separator = ", ") {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) out += (i ? separator : "") + items[i];
  return out;
}

std::string plural_kind(ElementKind kind) {
  switch (kind) {
    case ElementKind::router: return "routers";
    case ElementKind::gateway: return "gateways";
    case ElementKind::device: return "devices";
    case ElementKind::host: return "hosts";
    case ElementKind::tunnel: return "tunnels";
    case ElementKind::underlay: return "underlays";
    case ElementKind::site_lan: return "sites' LANs";
  }
  return "elements";
}

// "routers r1, r2 and site onprem's LAN": elements grouped by kind.
std::string describe_elements(const TopologyGraph& graph, const std::vector<ElementId>& ids) {
  std::vector<std::string> parts;
  std::vector<ElementKind> kinds;
  for (ElementId id : ids)
    if (std::find(kinds.begin(), kinds.end(), graph.element(id).kind) == kinds.end())
      kinds.push_back(graph.element(id).kind);
  for (ElementKind kind : kinds) {
    std::vector<ElementId> of_kind;
    for (ElementId id : ids)
      if (graph.element(id).kind == kind) of_kind.push_back(id);
    if (of_kind.size() == 1 || kind == ElementKind::site_lan || kind == ElementKind::device) {
      for (ElementId id : of_kind) parts.push_back(graph.element(id).label());
    } else {
      std::vector<std::string> names;
      for (ElementId id : of_kind) names.push_back(graph.element(id).name);
      parts.push_back(plural_kind(kind) + " " + join(names));
    }
  }
  if (parts.size() <= 1) return parts.empty() ? std::string("nothing") : parts[0];
  std::string last = parts.back();
  parts.pop_back();
  return join(parts) + " and " + last;
}

// Where traffic of a site starts and ends: its LAN (when anything is on it)
// and every host that is not simply on the LAN (a host behind a device is a
// place of its own; one on the LAN is the LAN).
std::vector<ElementId> site_endpoints(const config::Topology& topology, const TopologyGraph& graph,
                                      const config::Site& site) {
  std::vector<ElementId> out;
  auto lan = graph.site_lan(site.name);
  if (lan && !graph.neighbours(*lan).empty()) out.push_back(*lan);
  for (const config::Host& host : topology.hosts) {
    if (host.site != site.name) continue;
    const ElementId id = *graph.find(host.name);
    const auto& next = graph.neighbours(id);
    const bool on_lan = lan && next.size() == 1 && next[0] == *lan;
    if (!on_lan) out.push_back(id);
  }
  return out;
}

std::string endpoint_name(const TopologyGraph& graph, ElementId id) {
  const Element& e = graph.element(id);
  return (e.kind == ElementKind::site_lan ? "site " : "host ") + e.name;
}

std::vector<EndpointPair> endpoint_pairs(const config::Topology& topology, const TopologyGraph& graph) {
  std::vector<EndpointPair> pairs;
  for (size_t i = 0; i < topology.sites.size(); ++i) {
    for (size_t j = i + 1; j < topology.sites.size(); ++j) {
      for (ElementId a : site_endpoints(topology, graph, topology.sites[i]))
        for (ElementId b : site_endpoints(topology, graph, topology.sites[j]))
          pairs.push_back({a, b, endpoint_name(graph, a) + " <-> " + endpoint_name(graph, b)});
    }
  }
  return pairs;
}

std::string why_single(const TopologyGraph& graph, ElementId failed, const EndpointPair& pair) {
  const Element& e = graph.element(failed);
  const std::vector<bool> near = graph.reachable_from(pair.from, {failed});
  if (e.kind == ElementKind::underlay) {
    std::vector<std::string> tunnels;
    for (ElementId t : graph.dependents(failed)) tunnels.push_back(graph.element(t).name);
    return "every working path of " + pair.description + " runs over " + e.label() + ": its tunnels " + join(tunnels) +
           " fail together with it, and no tunnel over another underlay connects them";
  }
  std::vector<ElementId> near_side, far_side;
  for (ElementId n : graph.neighbours(failed)) (near[n] ? near_side : far_side).push_back(n);
  if (near_side.empty() || far_side.empty())
    return e.label() + " is the only path of " + pair.description;
  return e.label() + " is the only path between " + describe_elements(graph, near_side) + " and " +
         describe_elements(graph, far_side) + " (" + pair.description + ")";
}

std::string advice_for(const Element& e) {
  switch (e.kind) {
    case ElementKind::device:
      return "add a second " + (e.device_kind.empty() ? std::string("device") : e.device_kind) +
             " (or an HA pair with state sync) so that every router stays reachable from the LAN when " + e.name +
             " fails";
    case ElementKind::router:
    case ElementKind::gateway:
      return "add a second " + std::string(element_kind_name(e.kind)) + " in site " + e.site +
             " with its own tunnels and BGP sessions (the article's 2 + 2 design)";
    case ElementKind::tunnel:
      return "add a parallel tunnel from another router or over another underlay, with its own BGP session";
    case ElementKind::underlay:
      return "add tunnels over a second underlay (ISP); if it is smaller, prepend on its sessions so it stays the "
             "warm standby";
    default: return "";
  }
}

std::vector<ElementId> failure_candidates(const TopologyGraph& graph) {
  std::vector<ElementId> out;
  for (ElementId i = 0; i < graph.elements().size(); ++i) {
    const Element& e = graph.element(i);
    if (!e.can_fail()) continue;
    // A tunnel nothing routes over changes nothing when it fails.
    if (e.kind == ElementKind::tunnel && graph.neighbours(i).empty()) continue;
    if (e.kind == ElementKind::underlay && graph.dependents(i).empty()) continue;
    out.push_back(i);
  }
  return out;
}

// Names the element a static route's next hop is, seen from `holder`.
std::string next_hop_name(const config::Topology& topology, const std::string& holder, const config::StaticRoute& route) {
  if (!route.via_name.empty()) return route.via_name;
  if (route.via_address) {
    const IpAddress& a = *route.via_address;
    for (const config::Tunnel& t : topology.tunnels) {
      for (const config::TunnelEnd& end : t.ends) {
        if (end.address.address != a) continue;
        if (t.end_at(holder) && end.router != holder) return end.router + " over " + t.name;
        return end.router;
      }
    }
    for (const config::RouterConfig& r : topology.routers)
      if (r.router_id == a) return r.name;
    for (const config::Host& h : topology.hosts)
      if (h.address && *h.address == a) return h.name;
    return a.to_string();
  }
  if (const config::RouterConfig* r = topology.find_router(holder)) {
    for (const config::Tunnel& t : topology.tunnels)
      if (const config::TunnelEnd* near = t.end_at(r->name); near && near->interface == route.interface)
        return "tunnel " + t.name;
  }
  return "interface " + route.interface;
}

std::vector<StaticRouteDependency> static_route_dependencies(const config::Topology& topology) {
  std::vector<StaticRouteDependency> out;
  auto collect = [&](const std::string& holder, const std::string& holder_site,
                     const std::vector<config::StaticRoute>& routes) {
    std::map<Prefix, StaticRouteDependency> by_prefix;
    std::vector<Prefix> order;
    for (const config::StaticRoute& route : routes) {
      auto [it, fresh] = by_prefix.emplace(route.prefix, StaticRouteDependency{holder, route.prefix, {}, {}});
      if (fresh) order.push_back(route.prefix);
      const std::string hop = next_hop_name(topology, holder, route);
      if (std::find(it->second.next_hops.begin(), it->second.next_hops.end(), hop) == it->second.next_hops.end())
        it->second.next_hops.push_back(hop);
    }
    for (const Prefix& p : order) {
      StaticRouteDependency dep = by_prefix.at(p);
      for (const config::Site& site : topology.sites) {
        if (site.name == holder_site) continue;
        for (const Prefix& sp : site.prefixes)
          if (sp.family() == p.family() && (p.contains(sp) || sp.contains(p))) {
            dep.sites_behind.push_back(site.name);
            break;
          }
      }
      out.push_back(std::move(dep));
    }
  };
  for (const config::RouterConfig& r : topology.routers) collect(r.name, r.site, r.static_routes);
  for (const config::Device& d : topology.devices) collect(d.name, d.site, d.static_routes);
  return out;
}

}  // namespace

const SinglePointOfFailure* FailureAnalysis::single_point(const TopologyGraph& graph, const std::string& name) const {
  for (const SinglePointOfFailure& s : single_points)
    if (graph.element(s.element).name == name) return &s;
  return nullptr;
}

FailureAnalysis analyse_failures(const config::Topology& topology, const TopologyGraph& graph, int max_order) {
  FailureAnalysis analysis;
  analysis.max_order = max_order;
  analysis.static_routes = static_route_dependencies(topology);
  std::vector<EndpointPair> pairs = endpoint_pairs(topology, graph);
  for (const EndpointPair& pair : pairs)
    (graph.connected(pair.from, pair.to, {}) ? analysis.pairs : analysis.disconnected).push_back(pair);

  const std::vector<ElementId> candidates = failure_candidates(graph);
  std::vector<bool> is_single(graph.elements().size(), false);
  for (ElementId c : candidates) {
    SinglePointOfFailure spof{c, {}, ""};
    for (const EndpointPair& pair : analysis.pairs) {
      if (graph.connected(pair.from, pair.to, {c})) continue;
      if (spof.why.empty()) spof.why = why_single(graph, c, pair);
      spof.pairs_lost.push_back(pair.description);
    }
    if (!spof.pairs_lost.empty()) {
      is_single[c] = true;
      analysis.single_points.push_back(std::move(spof));
    }
  }
  if (max_order >= 2) {
    for (size_t i = 0; i < candidates.size(); ++i) {
      if (is_single[candidates[i]]) continue;
      for (size_t j = i + 1; j < candidates.size(); ++j) {
        if (is_single[candidates[j]]) continue;
        DoubleFailure failure{candidates[i], candidates[j], {}};
        for (const EndpointPair& pair : analysis.pairs)
          if (!graph.connected(pair.from, pair.to, {candidates[i], candidates[j]}))
            failure.pairs_lost.push_back(pair.description);
        if (!failure.pairs_lost.empty()) analysis.double_failures.push_back(std::move(failure));
      }
    }
  }
  return analysis;
}

std::vector<std::string> pairs_lost(const TopologyGraph& graph, const FailureAnalysis& analysis,
                                    const std::vector<std::string>& failed) {
  std::vector<ElementId> ids;
  for (const std::string& name : failed)
    if (auto id = graph.find(name)) ids.push_back(*id);
  std::vector<std::string> lost;
  for (const EndpointPair& pair : analysis.pairs)
    if (!graph.connected(pair.from, pair.to, ids)) lost.push_back(pair.description);
  return lost;
}

void report_failures(const config::Topology& topology, const TopologyGraph& graph, const FailureAnalysis& analysis,
                     Report& report) {
  for (const EndpointPair& pair : analysis.disconnected) {
    report.add({Severity::error, FindingKind::no_path,
                {graph.element(pair.from).name, graph.element(pair.to).name},
                pair.description + " has no path at all, even with everything up",
                "check the tunnels between them carry BGP sessions on both ends, and that devices list their "
                "inside and outside neighbours"});
  }
  for (const SinglePointOfFailure& spof : analysis.single_points) {
    const Element& e = graph.element(spof.element);
    std::string message = e.label() + " is a single point of failure: " + spof.why + ".";
    if (spof.pairs_lost.size() > 1) message += " Its loss disconnects " + join(spof.pairs_lost) + ".";
    std::vector<std::string> elements{e.name};
    for (ElementId d : graph.dependents(spof.element)) elements.push_back(graph.element(d).name);
    report.add({Severity::error, FindingKind::single_point_of_failure, elements, message, advice_for(e)});
  }

  report.failure_order = std::max(report.failure_order, analysis.max_order);
  for (const DoubleFailure& d : analysis.double_failures)
    report.double_failures.push_back(
        {{graph.element(d.first).name, graph.element(d.second).name}, d.pairs_lost});

  // Pairs that survive any single failure: how thin is the margin?
  std::map<std::string, std::vector<const DoubleFailure*>> doubles_by_pair;
  for (const DoubleFailure& d : analysis.double_failures)
    for (const std::string& pair : d.pairs_lost) doubles_by_pair[pair].push_back(&d);
  for (const EndpointPair& pair : analysis.pairs) {
    auto it = doubles_by_pair.find(pair.description);
    if (it == doubles_by_pair.end()) continue;
    bool has_single = std::any_of(analysis.single_points.begin(), analysis.single_points.end(),
                                  [&](const SinglePointOfFailure& s) {
                                    return std::find(s.pairs_lost.begin(), s.pairs_lost.end(), pair.description) !=
                                           s.pairs_lost.end();
                                  });
    if (has_single) continue;
    std::vector<std::string> examples;
    for (size_t i = 0; i < it->second.size() && i < 3; ++i)
      examples.push_back(graph.element(it->second[i]->first).name + " + " + graph.element(it->second[i]->second).name);
    report.add({Severity::info, FindingKind::reduced_redundancy, {},
                pair.description + " survives any single failure; " + std::to_string(it->second.size()) +
                    (it->second.size() == 1 ? " pair of failures cuts it: " : " pairs of failures cut it, e.g. ") +
                    join(examples),
                ""});
  }

  for (const StaticRouteDependency& dep : analysis.static_routes) {
    std::string holder_label = dep.holder;
    if (auto id = graph.find(dep.holder)) holder_label = graph.element(*id).label();
    const std::string behind = dep.sites_behind.empty() ? std::string() : " (site " + join(dep.sites_behind) + ")";
    if (dep.next_hops.size() == 1) {
      const bool between_sites = !dep.sites_behind.empty();
      std::vector<std::string> elements{dep.holder, dep.next_hops[0]};
      report.add({between_sites ? Severity::error : Severity::warning, FindingKind::static_route, elements,
                  holder_label + " sends " + dep.prefix.to_string() + behind + " to " + dep.next_hops[0] +
                      " only, by a static route: if " + dep.next_hops[0] +
                      " fails, that traffic stops until someone changes the route by hand",
                  "let " + dep.holder +
                      " learn the route dynamically (BGP with every router of the site), or point it at an address "
                      "that moves between routers by itself (VRRP)"});
    } else {
      std::vector<std::string> elements{dep.holder};
      elements.insert(elements.end(), dep.next_hops.begin(), dep.next_hops.end());
      report.add({Severity::warning, FindingKind::static_route, elements,
                  holder_label + " spreads " + dep.prefix.to_string() + behind + " over " + join(dep.next_hops) +
                      " by static routes: nothing removes a next hop that fails silently, so its share is "
                      "black-holed until the link goes down or someone removes it",
                  "use BGP (with BFD) towards " + join(dep.next_hops) + " instead of static routes"});
    }
  }
  (void)topology;
}

}  // namespace halink::design
