#include "design/sessions.h"

#include <algorithm>
#include <map>
#include <set>

namespace halink::design {

bool Session::shutdown() const {
  return (a.neighbor && a.neighbor->shutdown) || (b.neighbor && b.neighbor->shutdown);
}

std::string Session::describe() const {
  std::string text = a.router_name() + "-" + b.router_name();
  if (!tunnel.empty()) text += " over tunnel " + tunnel;
  return text;
}

bool SessionMap::tunnel_carries_session(const std::string& tunnel) const {
  return std::any_of(sessions.begin(), sessions.end(),
                     [&](const Session& s) { return s.tunnel == tunnel && !s.shutdown(); });
}

std::vector<const Session*> SessionMap::sessions_over(const std::string& tunnel) const {
  std::vector<const Session*> out;
  for (const Session& s : sessions)
    if (s.tunnel == tunnel) out.push_back(&s);
  return out;
}

namespace {

class AddressBook {
public:
  explicit AddressBook(const config::Topology& topology) : topology_(topology) {
    for (const config::Tunnel& t : topology.tunnels)
      for (const config::TunnelEnd& end : t.ends) add(end.address.address, end.router);
    for (const config::RouterConfig& r : topology.routers) {
      if (!r.router_id.is_unspecified()) add(r.router_id, r.name);
      for (const IpAddress& a : r.listen.addresses) add(a, r.name);
      if (r.lan_address) add(r.lan_address->address, r.name);  // the site pair's iBGP session
    }
  }

  // The router that owns `address`, or empty.
  std::string owner(const IpAddress& address) const {
    auto it = owners_.find(address);
    return it == owners_.end() ? std::string() : it->second;
  }
  bool owns(const std::string& router, const IpAddress& address) const { return owner(address) == router; }

  // The tunnel between `near` and `far` whose far end has `far_address`.
  std::string tunnel_to(const std::string& near, const std::string& far, const IpAddress& far_address) const {
    for (const config::Tunnel& t : topology_.tunnels) {
      const config::TunnelEnd* n = t.end_at(near);
      const config::TunnelEnd* f = t.end_at(far);
      if (n && f && n != f && f->address.address == far_address) return t.name;
    }
    return {};
  }

private:
  void add(const IpAddress& address, const std::string& router) { owners_.emplace(address, router); }

  const config::Topology& topology_;
  std::map<IpAddress, std::string> owners_;
};

struct Resolved {
  std::string peer;    // router name, empty if outside
  std::string tunnel;  // tunnel of the session, empty if none
};

Resolved resolve(const config::Topology& topology, const AddressBook& book, const config::RouterConfig& router,
                 const config::Neighbor& neighbor) {
  Resolved out;
  if (!neighbor.tunnel.empty()) {
    if (const config::Tunnel* t = topology.find_tunnel(neighbor.tunnel)) {
      if (const config::TunnelEnd* far = t->other_end(router.name)) {
        out.peer = far->router;
        out.tunnel = t->name;
        return out;
      }
    }
  }
  out.peer = book.owner(neighbor.address);
  if (out.peer == router.name) out.peer.clear();
  if (!out.peer.empty()) out.tunnel = book.tunnel_to(router.name, out.peer, neighbor.address);
  return out;
}

}  // namespace

SessionMap match_sessions(const config::Topology& topology) {
  SessionMap map;
  const AddressBook book(topology);
  std::set<const config::Neighbor*> consumed;

  for (const config::RouterConfig& router : topology.routers) {
    for (const config::Neighbor& neighbor : router.neighbors) {
      if (consumed.count(&neighbor)) continue;
      consumed.insert(&neighbor);
      const Resolved mine = resolve(topology, book, router, neighbor);
      const SessionSide side{&router, &neighbor};
      if (mine.peer.empty()) {
        map.external.push_back({side, "", mine.tunnel});
        continue;
      }
      const config::RouterConfig* peer = topology.find_router(mine.peer);
      if (!peer) {
        map.external.push_back({side, "", mine.tunnel});
        continue;
      }
      if (peer->managed() && peer->neighbors.empty()) {
        map.sessions.push_back({mine.tunnel, side, SessionSide{peer, nullptr}});
        continue;
      }
      const config::Neighbor* match = nullptr;
      for (const config::Neighbor& candidate : peer->neighbors) {
        if (consumed.count(&candidate)) continue;
        const Resolved theirs = resolve(topology, book, *peer, candidate);
        if (theirs.peer != router.name) continue;
        // Over a tunnel both ends must mean the same tunnel; without one, the
        // addresses must cross (each end's address belongs to the other).
        const bool same_tunnel = !mine.tunnel.empty() && theirs.tunnel == mine.tunnel;
        const bool crossing = mine.tunnel.empty() && theirs.tunnel.empty() && book.owns(router.name, candidate.address) &&
                              book.owns(peer->name, neighbor.address);
        if (same_tunnel || crossing) {
          match = &candidate;
          break;
        }
      }
      if (!match) {
        map.one_sided.push_back({side, peer->name, mine.tunnel});
        continue;
      }
      consumed.insert(match);
      map.sessions.push_back({mine.tunnel, side, SessionSide{peer, match}});
    }
  }
  return map;
}

}  // namespace halink::design
