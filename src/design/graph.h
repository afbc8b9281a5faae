// The topology as a graph of failure domains.
//
// Vertices are the things that can fail (routers, provider gateways,
// devices, tunnels, underlays) and the things traffic starts and ends at
// (each site's LAN, hosts). Edges are the data path the topology file
// describes:
//   - a router sits on its site's LAN, unless a device names it in `outside`
//     (then it is reached only through that device);
//   - a host sits on its site's LAN, unless a device names it in `inside`;
//   - a device connects its `inside` elements (default: the site's LAN) with
//     its `outside` elements;
//   - a tunnel connects its two routers, but only when something routes over
//     it: a BGP session that is not shut down, or a static route pointing
//     into it. A tunnel nothing routes over carries no traffic.
// Underlays have no edges: they are shared fate. When an underlay fails,
// every tunnel over it fails with it (dependents()).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "config/topology.h"
#include "design/sessions.h"

namespace halink::design {

enum class ElementKind : uint8_t { site_lan, host, device, router, gateway, tunnel, underlay };
const char* element_kind_name(ElementKind kind);  // "site LAN", "host", "device", "router", ...

using ElementId = uint32_t;

struct Element {
  ElementKind kind = ElementKind::router;
  std::string name;  // the topology's name; for a site LAN the site's name
  std::string site;  // the site it belongs to; empty for tunnels and underlays

  // "router r1", "firewall fw1", "site onprem's LAN", "gateway g1"
  std::string label() const;
  // Site LANs and hosts are where traffic starts and ends, not what fails.
  bool can_fail() const { return kind != ElementKind::site_lan && kind != ElementKind::host; }
  std::string device_kind;  // for devices: "firewall", "nat", ...
};

class TopologyGraph {
public:
  static TopologyGraph build(const config::Topology& topology, const SessionMap& sessions);

  const std::vector<Element>& elements() const { return elements_; }
  const Element& element(ElementId id) const { return elements_[id]; }
  // Routers, gateways, devices, hosts, tunnels and underlays by name.
  std::optional<ElementId> find(const std::string& name) const;
  std::optional<ElementId> site_lan(const std::string& site) const;

  const std::vector<ElementId>& neighbours(ElementId id) const { return adjacency_[id]; }
  // What fails together with `id` (an underlay's tunnels), not including `id`.
  const std::vector<ElementId>& dependents(ElementId id) const { return dependents_[id]; }
  // Tunnels that exist but carry nothing (no session, no static route).
  const std::vector<ElementId>& idle_tunnels() const { return idle_tunnels_; }

  // reachable[i] tells whether element i is reachable from `from` while
  // `failed` (and their dependents) are down.
  std::vector<bool> reachable_from(ElementId from, const std::vector<ElementId>& failed) const;
  bool connected(ElementId a, ElementId b, const std::vector<ElementId>& failed) const;

private:
  ElementId add(Element element);
  void link(ElementId a, ElementId b);

  std::vector<Element> elements_;
  std::vector<std::vector<ElementId>> adjacency_;
  std::vector<std::vector<ElementId>> dependents_;
  std::vector<ElementId> idle_tunnels_;
};

}  // namespace halink::design
