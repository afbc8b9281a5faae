#include "design/graph.h"

#include <algorithm>
#include <set>

namespace halink::design {

const char* element_kind_name(ElementKind kind) {
  switch (kind) {
    case ElementKind::site_lan: return "site LAN";
    case ElementKind::host: return "host";
    case ElementKind::device: return "device";
    case ElementKind::router: return "router";
    case ElementKind::gateway: return "gateway";
    case ElementKind::tunnel: return "tunnel";
    case ElementKind::underlay: return "underlay";
  }
  return "element";
}

std::string Element::label() const {
  switch (kind) {
    case ElementKind::site_lan: return "site " + name + "'s LAN";
    case ElementKind::device: return (device_kind.empty() ? std::string("device") : device_kind) + " " + name;
    default: return std::string(element_kind_name(kind)) + " " + name;
  }
}

ElementId TopologyGraph::add(Element element) {
  elements_.push_back(std::move(element));
  adjacency_.emplace_back();
  dependents_.emplace_back();
  return static_cast<ElementId>(elements_.size() - 1);
}

void TopologyGraph::link(ElementId a, ElementId b) {
  if (a == b) return;
  auto& list = adjacency_[a];
  if (std::find(list.begin(), list.end(), b) != list.end()) return;
  list.push_back(b);
  adjacency_[b].push_back(a);
}

std::optional<ElementId> TopologyGraph::find(const std::string& name) const {
  for (ElementId i = 0; i < elements_.size(); ++i)
    if (elements_[i].kind != ElementKind::site_lan && elements_[i].name == name) return i;
  return std::nullopt;
}

std::optional<ElementId> TopologyGraph::site_lan(const std::string& site) const {
  for (ElementId i = 0; i < elements_.size(); ++i)
    if (elements_[i].kind == ElementKind::site_lan && elements_[i].name == site) return i;
  return std::nullopt;
}

namespace {

// A static route on `router` that sends traffic into `tunnel`.
bool static_route_uses(const config::RouterConfig& router, const config::Tunnel& tunnel) {
  const config::TunnelEnd* near = tunnel.end_at(router.name);
  const config::TunnelEnd* far = tunnel.other_end(router.name);
  if (!near || !far) return false;
  for (const config::StaticRoute& route : router.static_routes) {
    if (route.via_kind == config::NodeKind::tunnel && route.via_name == tunnel.name) return true;
    if (route.via_address && *route.via_address == far->address.address) return true;
    if (!route.interface.empty() && route.interface == near->interface) return true;
  }
  return false;
}

}  // namespace

TopologyGraph TopologyGraph::build(const config::Topology& topology, const SessionMap& sessions) {
  TopologyGraph g;
  for (const config::Site& site : topology.sites) g.add({ElementKind::site_lan, site.name, site.name, ""});
  for (const config::Underlay& u : topology.underlays) g.add({ElementKind::underlay, u.name, "", ""});
  for (const config::RouterConfig& r : topology.routers)
    g.add({r.managed() ? ElementKind::gateway : ElementKind::router, r.name, r.site, ""});
  for (const config::Device& d : topology.devices)
    g.add({ElementKind::device, d.name, d.site, config::device_kind_name(d.kind)});
  for (const config::Host& h : topology.hosts) g.add({ElementKind::host, h.name, h.site, ""});
  for (const config::Tunnel& t : topology.tunnels) g.add({ElementKind::tunnel, t.name, "", ""});

  // Who sits behind a device: those are not on the LAN directly.
  std::set<std::string> behind_device_outside, behind_device_inside;
  for (const config::Device& d : topology.devices) {
    behind_device_outside.insert(d.outside.begin(), d.outside.end());
    behind_device_inside.insert(d.inside.begin(), d.inside.end());
  }
  for (const config::RouterConfig& r : topology.routers) {
    auto lan = g.site_lan(r.site);
    if (lan && !behind_device_outside.count(r.name)) g.link(*lan, *g.find(r.name));
  }
  for (const config::Host& h : topology.hosts) {
    auto lan = g.site_lan(h.site);
    if (lan && !behind_device_inside.count(h.name)) g.link(*lan, *g.find(h.name));
  }
  for (const config::Device& d : topology.devices) {
    const ElementId self = *g.find(d.name);
    if (d.inside.empty()) {
      if (auto lan = g.site_lan(d.site)) g.link(self, *lan);
    }
    for (const std::string& name : d.inside)
      if (auto other = g.find(name)) g.link(self, *other);
    for (const std::string& name : d.outside)
      if (auto other = g.find(name)) g.link(self, *other);
  }
  for (const config::Tunnel& t : topology.tunnels) {
    const ElementId self = *g.find(t.name);
    bool carries = sessions.tunnel_carries_session(t.name);
    for (const config::TunnelEnd& end : t.ends)
      if (const config::RouterConfig* r = topology.find_router(end.router)) carries = carries || static_route_uses(*r, t);
    if (!carries) {
      g.idle_tunnels_.push_back(self);
      continue;
    }
    for (const config::TunnelEnd& end : t.ends)
      if (auto router = g.find(end.router)) g.link(self, *router);
    if (auto underlay = g.find(t.underlay)) g.dependents_[*underlay].push_back(self);
  }
  return g;
}

std::vector<bool> TopologyGraph::reachable_from(ElementId from, const std::vector<ElementId>& failed) const {
  std::vector<bool> down(elements_.size(), false);
  for (ElementId f : failed) {
    down[f] = true;
    for (ElementId d : dependents_[f]) down[d] = true;
  }
  std::vector<bool> seen(elements_.size(), false);
  if (down[from]) return seen;
  std::vector<ElementId> stack{from};
  seen[from] = true;
  while (!stack.empty()) {
    const ElementId at = stack.back();
    stack.pop_back();
    for (ElementId next : adjacency_[at]) {
      if (seen[next] || down[next]) continue;
      seen[next] = true;
      stack.push_back(next);
    }
  }
  return seen;
}

bool TopologyGraph::connected(ElementId a, ElementId b, const std::vector<ElementId>& failed) const {
  return reachable_from(a, failed)[b];
}

}  // namespace halink::design
