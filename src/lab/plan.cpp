#include "lab/plan.h"

#include <algorithm>
#include <set>

namespace halink::lab {

namespace {

// Names become namespace, file and nftables names: keep [a-z0-9-].
std::string safe_name(const std::string& text) {
  std::string out;
  for (char c : text) {
    bool plain = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a'), plain = true;
    out += plain ? c : '-';
  }
  return out.empty() ? "lab" : out;
}

// wireguard-go's control socket is /var/run/wireguard/NAME.sock in the one
// mount namespace all network namespaces share, so instance names must be
// unique on the machine (lab notes): a short hash of the lab's name keeps two
// labs apart.
std::string instance_prefix(const std::string& lab) {
  uint32_t hash = 2166136261u;  // FNV-1a
  for (char c : lab) hash = (hash ^ static_cast<uint8_t>(c)) * 16777619u;
  char buffer[8];
  std::snprintf(buffer, sizeof buffer, "%04x", hash & 0xffff);
  return std::string("hl") + buffer;
}

bool usable_interface_name(const std::string& name) {
  if (name.empty() || name.size() > 15) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
  });
}

std::vector<std::string> router_sysctls(uint32_t seed) {
  return {
      "net.ipv4.ip_forward=1",
      // L4 hash with a seed of its own: identical routers in series with
      // one shared seed make the same choice and leave tunnels idle (lab notes).
      "net.ipv4.fib_multipath_hash_policy=1",
      "net.ipv4.fib_multipath_hash_seed=" + std::to_string(seed),
      "net.ipv4.conf.all.rp_filter=0",
      "net.ipv4.conf.default.rp_filter=0",
      // A next hop whose link is down is not used (a tunnel taken down).
      "net.ipv4.conf.all.ignore_routes_with_linkdown=1",
      "net.ipv4.conf.default.ignore_routes_with_linkdown=1",
      // A router without tunnels sends the LAN's packets back out of lan0 to
      // its sibling (site pair session); an ICMP redirect would move the
      // hosts' flows mid-measurement.
      "net.ipv4.conf.all.send_redirects=0",
      "net.ipv4.conf.default.send_redirects=0",
  };
}

std::vector<std::string> host_sysctls(uint32_t seed) {
  return {
      "net.ipv4.fib_multipath_hash_policy=1",
      "net.ipv4.fib_multipath_hash_seed=" + std::to_string(seed),
      // Skip a router whose neighbour entry failed (a crashed router).
      "net.ipv4.fib_multipath_use_neigh=1",
  };
}

// Hands out addresses of one site's LAN, skipping those hosts already own.
class LanAddresses {
public:
  LanAddresses(Prefix prefix, std::set<uint32_t> taken) : prefix_(prefix), taken_(std::move(taken)) {}
  std::optional<IpAddress> next() {
    uint32_t base = prefix_.address().v4_host_order();
    uint64_t size = prefix_.length() >= 32 ? 1 : (uint64_t{1} << (32 - prefix_.length()));
    while (next_ + 1 < size) {
      uint32_t candidate = base + static_cast<uint32_t>(next_++);
      if (!taken_.count(candidate)) return IpAddress::v4(candidate);
    }
    return std::nullopt;
  }

private:
  Prefix prefix_;
  std::set<uint32_t> taken_;
  uint64_t next_ = 1;
};

}  // namespace

const char* namespace_role_name(NamespaceRole role) {
  switch (role) {
    case NamespaceRole::router: return "router";
    case NamespaceRole::host: return "host";
    case NamespaceRole::lan: return "lan";
    case NamespaceRole::isp: return "isp";
  }
  return "?";
}

std::string lab_namespace_name(const std::string& lab, const std::string& node) {
  return "hl-" + lab + "-" + safe_name(node);
}

const NamespacePlan* LabPlan::find_namespace_of(const std::string& node) const {
  for (const NamespacePlan& n : namespaces)
    if (n.node == node && (n.role == NamespaceRole::router || n.role == NamespaceRole::host)) return &n;
  return nullptr;
}

const TunnelPlan* LabPlan::find_tunnel(const std::string& name) const {
  for (const TunnelPlan& t : tunnels)
    if (t.name == name) return &t;
  return nullptr;
}

const HostPlan* LabPlan::find_host(const std::string& name) const {
  for (const HostPlan& h : hosts)
    if (h.name == name) return &h;
  return nullptr;
}

Result<LabPlan> plan_lab(const config::Topology& topology) {
  if (!topology.devices.empty())
    return Error{"the lab does not build devices on the data path yet (" + topology.devices.front().name +
                 "); remove the devices: section to run the rest of the design"};
  LabPlan plan;
  plan.lab = safe_name(topology.name.empty() ? "lab" : topology.name);
  uint32_t seed = 1;
  auto next_seed = [&] { return seed++ * 2654435761u; };  // distinct, spread over the word

  // Site LANs: one bridge namespace each; routers first, then hosts.
  for (const config::Site& site : topology.sites) {
    std::vector<const config::RouterConfig*> routers;
    for (const config::RouterConfig& r : topology.routers)
      if (r.site == site.name) routers.push_back(&r);
    std::vector<const config::Host*> hosts;
    for (const config::Host& h : topology.hosts)
      if (h.site == site.name) hosts.push_back(&h);
    if (routers.empty() && hosts.empty()) continue;
    auto lan_prefix = std::find_if(site.prefixes.begin(), site.prefixes.end(),
                                   [](const Prefix& p) { return p.family() == Family::ipv4; });
    if (lan_prefix == site.prefixes.end())
      return Error{"site " + site.name + ": the lab needs an IPv4 prefix for the site's LAN"};
    std::set<uint32_t> taken;
    for (const config::Host* h : hosts) {
      if (!h->address) continue;
      if (!lan_prefix->contains(*h->address))
        return Error{"host " + h->name + ": address " + h->address->to_string() + " is not in " +
                     lan_prefix->to_string() + ", the first prefix of site " + site.name + " (the lab's LAN)"};
      taken.insert(h->address->v4_host_order());
    }
    // A router's declared lan_address is its LAN address in the lab too:
    // the site pair session (docs/CONFIG.md) is addressed to it.
    for (const config::RouterConfig* r : routers) {
      if (!r->lan_address) continue;
      const config::InterfaceAddress& declared = *r->lan_address;
      if (!lan_prefix->contains(declared.address) || declared.length != lan_prefix->length())
        return Error{"router " + r->name + ": lan_address " + declared.to_string() + " is not an address of " +
                     lan_prefix->to_string() + ", the first prefix of site " + site.name + " (the lab's LAN)"};
      if (!taken.insert(declared.address.v4_host_order()).second)
        return Error{"router " + r->name + ": lan_address " + declared.address.to_string() + " is taken by a host"};
    }
    LanAddresses addresses(*lan_prefix, taken);
    std::string lan_ns = lab_namespace_name(plan.lab, "lan-" + site.name);
    plan.namespaces.push_back({lan_ns, site.name, NamespaceRole::lan, {}});
    plan.bridges.push_back(lan_ns);
    int port = 0;
    auto attach = [&](const std::string& node_ns, IpAddress address) {
      VethPlan link;
      link.a_namespace = node_ns;
      link.a_interface = lab_lan_interface;
      link.a_address = config::InterfaceAddress{address, static_cast<uint8_t>(lan_prefix->length())};
      link.b_namespace = lan_ns;
      link.b_interface = "p" + std::to_string(port++);
      link.b_bridge = lab_bridge_name;
      plan.links.push_back(link);
    };
    std::vector<IpAddress> gateways;
    for (const config::RouterConfig* r : routers) {
      // The site pair session runs over the lab's LAN interface.
      for (const config::Neighbor& n : r->neighbors)
        for (const config::RouterConfig* sibling : routers)
          if (sibling != r && sibling->lan_address && sibling->lan_address->address == n.address &&
              n.interface != lab_lan_interface)
            return Error{"router " + r->name + ": neighbor " + n.name + " (the site pair session) must use interface " +
                         lab_lan_interface + " in the lab, not '" + n.interface + "'"};
      auto address = r->lan_address ? std::optional<IpAddress>(r->lan_address->address) : addresses.next();
      if (!address) return Error{"site " + site.name + ": " + lan_prefix->to_string() + " has no room for the lab's LAN"};
      std::string ns = lab_namespace_name(plan.lab, r->name);
      plan.namespaces.push_back({ns, r->name, NamespaceRole::router, router_sysctls(next_seed())});
      plan.router_lan_address[r->name] = *address;
      gateways.push_back(*address);
      attach(ns, *address);
      plan.daemons.push_back({r->name, ns, r->daemon});
    }
    for (const config::Host* h : hosts) {
      std::optional<IpAddress> address = h->address ? h->address : addresses.next();
      if (!address) return Error{"site " + site.name + ": " + lan_prefix->to_string() + " has no room for host " + h->name};
      std::string ns = lab_namespace_name(plan.lab, h->name);
      plan.namespaces.push_back({ns, h->name, NamespaceRole::host, host_sysctls(next_seed())});
      plan.hosts.push_back({h->name, site.name, ns, *address});
      attach(ns, *address);
      if (gateways.empty()) continue;
      for (const config::Site& other : topology.sites) {
        if (other.name == site.name) continue;
        for (const Prefix& p : other.prefixes)
          if (p.family() == Family::ipv4) plan.routes.push_back({ns, p, gateways, lab_lan_interface});
      }
    }
  }

  // Underlays: one ISP namespace each, every router with a tunnel over it attached.
  std::map<std::pair<std::string, std::string>, IpAddress> underlay_address;  // (underlay, router)
  for (size_t k = 0; k < topology.underlays.size(); ++k) {
    const config::Underlay& underlay = topology.underlays[k];
    std::vector<std::string> routers;
    for (const config::Tunnel& t : topology.tunnels)
      if (t.underlay == underlay.name)
        for (const config::TunnelEnd& end : t.ends)
          if (std::find(routers.begin(), routers.end(), end.router) == routers.end()) routers.push_back(end.router);
    if (routers.empty()) continue;
    if (routers.size() > 250 || k > 63) return Error{"underlay " + underlay.name + ": too many for the lab's addressing"};
    std::string isp_ns = lab_namespace_name(plan.lab, "isp-" + underlay.name);
    plan.namespaces.push_back({isp_ns, underlay.name, NamespaceRole::isp, {}});
    plan.bridges.push_back(isp_ns);
    for (size_t i = 0; i < routers.size(); ++i) {
      IpAddress address = IpAddress::v4(100, static_cast<uint8_t>(64 + k), 0, static_cast<uint8_t>(i + 1));
      underlay_address[{underlay.name, routers[i]}] = address;
      const config::RouterConfig* router = topology.find_router(routers[i]);
      std::string interface = underlay.name;
      bool clash = !usable_interface_name(interface) || interface == lab_lan_interface;
      for (const config::Tunnel& t : topology.tunnels)
        if (const config::TunnelEnd* end = t.end_at(routers[i]); end && end->interface == interface) clash = true;
      if (clash) interface = "ul" + std::to_string(k);
      VethPlan link;
      link.a_namespace = lab_namespace_name(plan.lab, router ? router->name : routers[i]);
      link.a_interface = interface;
      link.a_address = config::InterfaceAddress{address, 24};
      link.b_namespace = isp_ns;
      link.b_interface = "p" + std::to_string(i);
      link.b_bridge = lab_bridge_name;
      link.rate_bps = underlay.bandwidth_bps;
      link.underlay = underlay.name;
      plan.links.push_back(link);
    }
  }

  std::string prefix = instance_prefix(plan.lab);
  for (size_t i = 0; i < topology.tunnels.size(); ++i) {
    const config::Tunnel& t = topology.tunnels[i];
    TunnelPlan tunnel;
    tunnel.name = t.name;
    tunnel.underlay = t.underlay;
    tunnel.mtu = t.mtu;
    for (size_t e = 0; e < 2; ++e) {
      const config::TunnelEnd& end = t.ends[e];
      WireGuardEnd& w = tunnel.ends[e];
      w.router = end.router;
      w.namespace_name = lab_namespace_name(plan.lab, end.router);
      w.instance = prefix + "t" + std::to_string(i) + (e == 0 ? "a" : "b");
      w.interface = end.interface;
      w.address = end.address;
      w.listen_port = static_cast<uint16_t>(lab_first_wireguard_port + i);
      auto found = underlay_address.find({t.underlay, end.router});
      if (found == underlay_address.end())
        return Error{"tunnel " + t.name + ": router " + end.router + " is not on underlay " + t.underlay};
      w.underlay_address = found->second;
    }
    plan.tunnels.push_back(tunnel);
  }
  return plan;
}

}  // namespace halink::lab
