#include "sim/world/world.h"

#include <algorithm>
#include <map>

namespace halink::sim {
namespace {

// LAN-side links get addresses from 198.18.0.0/15 (RFC 2544 benchmarking
// space), one /30 each, so they never collide with a design's own addresses.
class LanAddresses {
public:
  std::pair<IpAddress, IpAddress> next() {
    uint32_t base = 0xC6120000u + 4 * count_++;
    return {IpAddress::v4(base + 1), IpAddress::v4(base + 2)};
  }

private:
  uint32_t count_ = 0;
};

std::string lan_name(const std::string& site) { return "lan-" + site; }

// An address inside `prefix` for flow endpoints: the host's if one is
// configured in that site, else the prefix's 10th address.
IpAddress endpoint_in(const config::Topology& topology, const config::Site& site) {
  for (const config::Host& h : topology.hosts)
    if (h.site == site.name && h.address) return *h.address;
  const Prefix& p = site.prefixes.front();
  if (p.family() == Family::ipv4) return IpAddress::v4(p.address().v4_host_order() + 10);
  auto bytes = p.address().raw();
  bytes[15] = 10;
  return IpAddress::from_bytes(Family::ipv6, {bytes.data(), 16});
}

}  // namespace

Result<std::unique_ptr<World>> World::build(const config::Topology& topology, SimulationConfig config,
                                            int flows_per_direction) {
  std::unique_ptr<World> w(new World());
  w->topology_ = topology;
  w->sim_ = std::make_unique<Simulation>(config);
  Simulation& sim = *w->sim_;
  Network& net = sim.network();

  std::map<std::string, UnderlayId> underlays;
  for (const config::Underlay& u : topology.underlays) underlays[u.name] = net.add_underlay(u.name, u.bandwidth_bps);

  for (const config::Site& s : topology.sites) {
    NodeId lan = sim.add_node(lan_name(s.name));
    for (const Prefix& p : s.prefixes) sim.table(lan).add_local(p);
  }
  for (const config::RouterConfig& r : topology.routers) sim.add_node(r.name);
  for (const config::Device& d : topology.devices) sim.add_node(d.name);

  // Tunnels between routers.
  for (const config::Tunnel& t : topology.tunnels) {
    LinkSpec spec;
    spec.name = t.name;
    for (int i = 0; i < 2; ++i) {
      LinkEnd& end = i == 0 ? spec.a : spec.b;
      end.node = *net.find_node(t.ends[i].router);
      end.interface = t.ends[i].interface.empty() ? t.name : t.ends[i].interface;
      end.address = t.ends[i].address.address;
    }
    if (const config::Underlay* u = topology.find_underlay(t.underlay)) {
      spec.latency = u->latency.is_zero() ? Duration::milliseconds(1) : u->latency;
      spec.capacity_bps = u->bandwidth_bps;
      spec.underlay = underlays.at(u->name);
    }
    if (auto l = net.add_link(spec); !l) return Error{"tunnel " + t.name + ": " + l.message()};
  }

  // The data path inside each site: LAN → devices → routers, as cables.
  LanAddresses addresses;
  auto cable = [&](NodeId from, NodeId to) -> Result<std::pair<fib::NextHop, fib::NextHop>> {
    auto [a, b] = addresses.next();
    LinkSpec spec;
    spec.name = net.node_name(from) + "--" + net.node_name(to);
    spec.a = {from, "to-" + net.node_name(to), a};
    spec.b = {to, "to-" + net.node_name(from), b};
    spec.latency = Duration::microseconds(100);
    spec.carrier_follows_peer = true;
    if (auto l = net.add_link(spec); !l) return l.error();
    // Seen from `from`: go to b on its interface; seen from `to`: go to a.
    return std::pair{fib::NextHop{b, spec.a.interface, 0, 1}, fib::NextHop{a, spec.b.interface, 0, 1}};
  };
  std::vector<Prefix> all_prefixes;
  for (const config::Site& s : topology.sites) all_prefixes.insert(all_prefixes.end(), s.prefixes.begin(), s.prefixes.end());

  for (const config::Site& s : topology.sites) {
    NodeId lan = *net.find_node(lan_name(s.name));
    std::vector<fib::NextHop> lan_exits;
    std::vector<std::string> behind_devices;
    for (const config::Device& d : topology.devices) {
      if (d.site != s.name) continue;
      NodeId dev = *net.find_node(d.name);
      auto c = cable(lan, dev);
      if (!c) return c.error();
      lan_exits.push_back(c->first);
      std::vector<fib::NextHop> device_exits;
      for (const std::string& out : d.outside) {
        auto target = net.find_node(out);
        if (!target) continue;
        auto oc = cable(dev, *target);
        if (!oc) return oc.error();
        device_exits.push_back(oc->first);
        behind_devices.push_back(out);
      }
      std::vector<fib::RouteChange> routes;
      for (const Prefix& p : all_prefixes) {
        bool own = std::find(s.prefixes.begin(), s.prefixes.end(), p) != s.prefixes.end();
        routes.push_back({p, own ? std::vector<fib::NextHop>{c->second} : device_exits});
      }
      (void)sim.table(dev).apply(routes);
    }
    for (const config::RouterConfig& r : topology.routers) {
      if (r.site != s.name) continue;
      NodeId router = *net.find_node(r.name);
      for (const Prefix& p : s.prefixes) sim.table(router).add_local(p);
      if (std::find(behind_devices.begin(), behind_devices.end(), r.name) != behind_devices.end()) continue;
      auto c = cable(lan, router);
      if (!c) return c.error();
      lan_exits.push_back(c->first);
    }
    std::vector<fib::RouteChange> routes;
    for (const Prefix& p : all_prefixes)
      if (std::find(s.prefixes.begin(), s.prefixes.end(), p) == s.prefixes.end()) routes.push_back({p, lan_exits});
    (void)sim.table(lan).apply(routes);
  }

  // The routers of a site that declare their LAN address reach each other
  // over the LAN switch directly, not through the LAN node's ECMP: one link
  // per pair, addressed with their lan_address, so the site pair's iBGP
  // session and the traffic a router forwards to its sibling cross it. The
  // switch stays up when a sibling dies (no carrier loss): the survivor
  // finds out by BFD or the hold timer, as on a real LAN.
  for (size_t i = 0; i < topology.routers.size(); ++i) {
    const config::RouterConfig& a = topology.routers[i];
    for (size_t j = i + 1; j < topology.routers.size() && a.lan_address; ++j) {
      const config::RouterConfig& b = topology.routers[j];
      if (b.site != a.site || !b.lan_address) continue;
      LinkSpec spec;
      spec.name = a.name + "--" + b.name;
      // Each end is named as the router's neighbour towards the other names
      // its LAN interface: the speaker's next hops carry that name.
      auto interface_towards = [](const config::RouterConfig& from, const config::RouterConfig& to) {
        for (const config::Neighbor& n : from.neighbors)
          if (n.address == to.lan_address->address && !n.interface.empty()) return n.interface;
        return "lan-" + to.name;
      };
      spec.a = {*net.find_node(a.name), interface_towards(a, b), a.lan_address->address};
      spec.b = {*net.find_node(b.name), interface_towards(b, a), b.lan_address->address};
      spec.latency = Duration::microseconds(100);
      if (auto l = net.add_link(spec); !l) return Error{"LAN of site " + a.site + ": " + l.message()};
    }
  }

  for (const config::RouterConfig& r : topology.routers) {
    NodeId id = *net.find_node(r.name);
    auto node = std::make_unique<RouterNode>(sim, id, r);
    w->routers_.push_back(node.get());
    sim.attach(id, std::move(node));
  }

  // Flows between every ordered pair of sites with prefixes.
  for (const config::Site& from : topology.sites) {
    for (const config::Site& to : topology.sites) {
      if (&from == &to || from.prefixes.empty() || to.prefixes.empty()) continue;
      SiteFlows sf{from.name, to.name, {}};
      for (int i = 0; i < flows_per_direction; ++i) {
        Flow f;
        f.name = from.name + "->" + to.name + "#" + std::to_string(i);
        f.ingress = *net.find_node(lan_name(from.name));
        f.tuple.source = endpoint_in(topology, from);
        f.tuple.destination = endpoint_in(topology, to);
        f.tuple.protocol = 17;
        f.tuple.source_port = uint16_t(20000 + i);
        f.tuple.destination_port = 4789;
        sf.flows.push_back(sim.traffic().add_flow(f));
      }
      w->flows_.push_back(std::move(sf));
    }
  }
  return w;
}

RouterNode* World::router(const std::string& name) const {
  for (RouterNode* r : routers_)
    if (r->config().name == name) return r;
  return nullptr;
}

std::vector<std::string> World::reload(const config::Topology& changed, const std::vector<std::string>& routers) {
  std::vector<std::string> refused;
  for (const std::string& name : routers) {
    RouterNode* node = router(name);
    const config::RouterConfig* fresh = changed.find_router(name);
    if (!node || !fresh) {
      refused.push_back(name + ": no such router");
      continue;
    }
    if (auto s = node->reload(sim_->now(), *fresh); !s) {
      sim_->note(node->id(), "reload refused: " + s.message());
      refused.push_back(name + ": " + s.message());
      continue;
    }
    sim_->wake(node->id());
    for (config::RouterConfig& in_force : topology_.routers)
      if (in_force.name == name) in_force = *fresh;
  }
  return refused;
}

bool World::converged() const {
  for (RouterNode* r : routers_)
    if (r->established_sessions() < r->configured_sessions()) return false;
  return true;
}

std::optional<Duration> World::run_until_converged(Duration limit) {
  Time start = sim_->now();
  while (sim_->now() - start < limit) {
    if (converged()) return sim_->now() - start;
    sim_->run_for(Duration::milliseconds(10));
  }
  return converged() ? std::optional(sim_->now() - start) : std::nullopt;
}

std::vector<World::TunnelShare> World::tunnel_shares() const {
  std::vector<TunnelShare> out;
  const Network& net = sim_->network();
  // Shares are of all traffic leaving one site over tunnels.
  std::map<std::string, double> site_total;
  std::vector<std::pair<double, double>> volumes;
  for (const config::Tunnel& t : topology_.tunnels) {
    auto link = net.find_link(t.name);
    const LinkSpec& spec = net.link(*link);
    double a = sim_->traffic().volume(*link, spec.a.node);
    double b = sim_->traffic().volume(*link, spec.b.node);
    volumes.emplace_back(a, b);
    site_total[topology_.find_router(t.ends[0].router)->site] += a;
    site_total[topology_.find_router(t.ends[1].router)->site] += b;
  }
  for (size_t i = 0; i < topology_.tunnels.size(); ++i) {
    const config::Tunnel& t = topology_.tunnels[i];
    double ta = site_total[topology_.find_router(t.ends[0].router)->site];
    double tb = site_total[topology_.find_router(t.ends[1].router)->site];
    out.push_back({t.name, t.underlay, ta > 0 ? volumes[i].first / ta : 0, tb > 0 ? volumes[i].second / tb : 0});
  }
  return out;
}

}  // namespace halink::sim
