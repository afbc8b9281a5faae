#include "config/neighbor_parser.h"

#include <algorithm>

#include "config/policy_parser.h"

namespace halink::config {

const std::vector<std::string>& neighbor_keys() {
  static const std::vector<std::string> keys = {
      "name", "description", "address", "remote_as", "port", "tunnel", "interface", "update_source",
      "passive", "shutdown", "ebgp_multihop", "ttl_security", "password_file", "hold_time", "keepalive",
      "connect_retry", "idle_hold_max", "families", "bfd", "import", "export", "max_prefix",
      "honor_graceful_shutdown", "soft_reconfiguration_inbound", "next_hop_self"};
  return keys;
}

const std::vector<std::string>& neighbor_default_keys() {
  // Everything that is not one peer's identity.
  static const std::vector<std::string> keys = [] {
    std::vector<std::string> out;
    const std::vector<std::string> per_peer = {"name", "description", "address", "tunnel", "interface",
                                               "update_source"};
    for (const std::string& k : neighbor_keys())
      if (std::find(per_peer.begin(), per_peer.end(), k) == per_peer.end()) out.push_back(k);
    return out;
  }();
  return keys;
}

std::optional<BfdSettings> read_bfd(ErrorSink& sink, const Located& where, const ReferenceIndex& index, bool& ok) {
  ok = true;
  const size_t errors_before = sink.count();
  if (!where.node.IsDefined() || !where.node.IsMap()) {
    auto enabled = read_bool(sink, where);
    if (!enabled) {
      ok = false;
      return std::nullopt;
    }
    if (!*enabled) return std::nullopt;
    return BfdSettings{};
  }
  BfdSettings bfd;
  MapReader map(sink, where, {"interval_ms", "multiplier", "multihop", "auth", "log_only"});
  if (auto v = map.get("interval_ms")) {
    if (auto n = read_uint(sink, *v, 10, 60000, "milliseconds")) bfd.interval = Duration::milliseconds(int64_t(*n));
  }
  // RFC 5880 §6.8.1: Detect Mult is an 8-bit, non-zero value.
  if (auto v = map.get("multiplier")) {
    if (auto n = read_uint(sink, *v, 1, 255)) bfd.multiplier = static_cast<uint8_t>(*n);
  }
  if (auto v = map.get("multihop")) {
    if (auto b = read_bool(sink, *v)) bfd.multihop = *b;
  }
  if (auto v = map.get("log_only")) {
    if (auto b = read_bool(sink, *v)) bfd.log_only = *b;
  }
  if (auto v = map.get("auth")) {
    MapReader auth_map(sink, *v, {"type", "key_id", "key_file"});
    BfdAuth auth;
    if (auto t = auth_map.require("type")) {
      static const std::vector<std::string> types = {"simple-password", "keyed-md5", "meticulous-keyed-md5",
                                                     "keyed-sha1", "meticulous-keyed-sha1"};
      if (auto text = read_choice(sink, *t, types))
        auth.type = static_cast<BfdAuthType>(std::find(types.begin(), types.end(), *text) - types.begin());
    }
    if (auto k = auth_map.get("key_id")) {
      if (auto n = read_uint(sink, *k, 0, 255)) auth.key_id = static_cast<uint8_t>(*n);
    }
    if (auto f = auth_map.require("key_file")) {
      if (auto path = read_string(sink, *f)) auth.key_file = index.resolve_path(*path);
    }
    bfd.auth = auth;
  }
  if (sink.count() != errors_before) {
    ok = false;
    return std::nullopt;
  }
  return bfd;
}

namespace {

// A neighbour's own key, else the router's neighbor_defaults.
class NeighborKeys {
public:
  NeighborKeys(const MapReader& own, const MapReader* defaults) : own_(own), defaults_(defaults) {}
  std::optional<Located> get(std::string_view key) const {
    if (auto v = own_.get(key)) return v;
    if (defaults_) return defaults_->get(key);
    return std::nullopt;
  }

private:
  const MapReader& own_;
  const MapReader* defaults_;
};

std::optional<Duration> read_seconds(ErrorSink& sink, const Located& v, uint64_t min, uint64_t max) {
  auto n = read_uint(sink, v, min, max, "seconds");
  if (!n) return std::nullopt;
  return Duration::seconds(static_cast<int64_t>(*n));
}

// RFC 4271 §4.2: the Hold Time MUST be either zero or at least three seconds.
std::optional<Duration> read_hold_time(ErrorSink& sink, const Located& v) {
  const size_t errors_before = sink.count();
  auto text = read_string(sink, v);
  if (!text) return std::nullopt;
  bool digits = !text->empty() && text->size() <= 6 &&
                std::all_of(text->begin(), text->end(), [](char c) { return c >= '0' && c <= '9'; });
  long value = digits ? std::stol(*text) : -1;
  if (value == 0 || (value >= 3 && value <= 65535)) return Duration::seconds(value);
  if (sink.count() == errors_before)
    sink.error(v.mark, v.path, "must be 0 or between 3 and 65535 seconds (RFC 4271 §4.2), got " + *text);
  return std::nullopt;
}

// In a topology, an iBGP neighbour without a tunnel is the site pair's
// session: its address must be a sibling router's lan_address, since that is
// where `halink sim` and `halink lab` put the session.
void check_site_pair_neighbor(ErrorSink& sink, const Located& at, const Neighbor& n, const RouterConfig& router,
                              const ReferenceIndex& index) {
  std::string siblings;
  for (const auto& [name, address] : index.lan_address) {
    auto site = index.site_of.find(name);
    if (name != router.name && site != index.site_of.end() && site->second == router.site)
      siblings += (siblings.empty() ? "" : ", ") + name + " " + address.to_string();
  }
  const std::string hint = siblings.empty() ? " (no other router of site " + router.site + " has a lan_address)"
                                            : " (site " + router.site + ": " + siblings + ")";
  for (const auto& [name, address] : index.lan_address) {
    if (address != n.address) continue;
    if (name == router.name) {
      sink.error(at.mark, at.path, n.address.to_string() + " is this router's own lan_address");
    } else if (index.site_of.count(name) && index.site_of.at(name) != router.site) {
      sink.error(at.mark, at.path,
                 n.address.to_string() + " is the LAN address of " + name + " in site " + index.site_of.at(name) +
                     ": an iBGP session without a tunnel runs on this router's own site LAN" + hint);
    } else if (index.local_as.count(name) && index.local_as.at(name) != n.remote_as) {
      sink.error(at.mark, at.path,
                 n.address.to_string() + " is the LAN address of " + name + ", whose local_as is " +
                     std::to_string(index.local_as.at(name)) + ", not " + std::to_string(n.remote_as));
    } else if (n.interface.empty()) {
      // halinkd's FIB installs a next hop only with its interface (fib/nexthop_groups.h).
      sink.error(at.mark, at.path,
                 "the session to " + name + " over the LAN needs 'interface': the LAN interface through which " +
                     router.name + " forwards to " + name + " (lan0 in halink lab)");
    }
    return;
  }
  sink.error(at.mark, at.path,
             "iBGP neighbour " + n.address.to_string() +
                 " is no router's lan_address: an iBGP session without a tunnel runs between two routers of one "
                 "site, to the sibling's lan_address" + hint);
}

}  // namespace

std::optional<Neighbor> read_neighbor(ErrorSink& sink, const Located& where, const NeighborScope& scope) {
  MapReader own(sink, where, neighbor_keys());
  if (!own.valid()) return std::nullopt;
  const size_t errors_before = sink.count();
  const NeighborKeys keys(own, scope.defaults);
  const ReferenceIndex& index = scope.index;
  const RouterConfig& router = scope.router;
  Neighbor n;

  // The tunnel first: it can supply the address, interface and remote AS.
  const Tunnel* tunnel = nullptr;
  const TunnelEnd* far_end = nullptr;
  const TunnelEnd* near_end = nullptr;
  if (auto v = own.get("tunnel")) {
    if (auto name = read_name(sink, *v)) {
      n.tunnel = *name;
      if (index.whole_topology) {
        tunnel = index.find_tunnel(*name);
        if (!tunnel) {
          if (index.nodes.count(*name) == 0 || index.nodes.at(*name) != NodeKind::tunnel)
            sink.error(v->mark, v->path,
                       "no tunnel named '" + *name + "'" + did_you_mean(*name, index.names_of(NodeKind::tunnel)));
        } else if (!(near_end = tunnel->end_at(router.name))) {
          sink.error(v->mark, v->path,
                     "tunnel " + *name + " connects " + tunnel->ends[0].router + " and " + tunnel->ends[1].router +
                         ", not " + router.name);
          tunnel = nullptr;
        } else {
          far_end = tunnel->other_end(router.name);
        }
      }
    }
  }

  if (auto v = own.get("address")) {
    if (auto address = read_address(sink, *v)) {
      n.address = *address;
      if (far_end && far_end->address.address != *address)
        sink.error(v->mark, v->path,
                   "tunnel " + tunnel->name + " ends at " + far_end->address.address.to_string() + " on " +
                       far_end->router + ", not " + address->to_string());
    }
  } else if (far_end) {
    n.address = far_end->address.address;
  } else if (n.tunnel.empty() || !index.whole_topology) {
    sink.error(where.mark, where.path, "missing required key 'address' (or 'tunnel' naming a tunnel of the topology)");
  }

  if (auto v = own.get("name")) {
    if (auto name = read_name(sink, *v)) n.name = *name;
  } else {
    n.name = n.tunnel.empty() ? n.address.to_string() : n.tunnel;
  }
  if (auto v = own.get("description")) {
    if (auto text = read_string(sink, *v)) n.description = *text;
  }

  if (auto v = keys.get("remote_as")) {
    if (auto asn = read_asn(sink, *v)) {
      n.remote_as = *asn;
      if (far_end && index.local_as.count(far_end->router) && index.local_as.at(far_end->router) != *asn)
        sink.error(v->mark, v->path,
                   "tunnel " + tunnel->name + " leads to " + far_end->router + ", whose local_as is " +
                       std::to_string(index.local_as.at(far_end->router)));
    }
  } else if (far_end && index.local_as.count(far_end->router)) {
    n.remote_as = index.local_as.at(far_end->router);
  } else if (!(index.whole_topology && !n.tunnel.empty())) {
    // (With a tunnel that did not resolve, its own error says it all.)
    sink.error(where.mark, where.path, "missing required key 'remote_as'");
  }

  if (auto v = keys.get("port")) {
    if (auto p = read_uint(sink, *v, 1, 65535)) n.port = static_cast<uint16_t>(*p);
  }
  if (auto v = own.get("interface")) {
    if (auto name = read_interface_name(sink, *v)) {
      n.interface = *name;
      if (near_end && near_end->interface != *name)
        sink.error(v->mark, v->path,
                   "tunnel " + tunnel->name + " is interface " + near_end->interface + " on " + router.name);
    }
  } else if (near_end) {
    n.interface = near_end->interface;
  }
  if (n.address.is_v6() && n.address.is_link_local() && n.interface.empty())
    sink.error(where.mark, where.path,
               "link-local neighbour " + n.address.to_string() + " needs 'interface' (the scope of the address)");
  if (auto v = own.get("update_source")) {
    if (auto address = read_address(sink, *v)) {
      n.update_source = *address;
      if (address->family() != n.address.family())
        sink.error(v->mark, v->path,
                   "is " + std::string(family_name(address->family())) + " but the neighbour address " +
                       n.address.to_string() + " is " + family_name(n.address.family()));
    }
  }

  auto read_flag = [&](std::string_view key, bool& out) {
    if (auto v = keys.get(key))
      if (auto b = read_bool(sink, *v)) out = *b;
  };
  read_flag("passive", n.passive);
  read_flag("shutdown", n.shutdown);
  read_flag("ttl_security", n.ttl_security);
  read_flag("soft_reconfiguration_inbound", n.soft_reconfiguration_inbound);

  if (auto v = keys.get("ebgp_multihop")) {
    if (auto ttl = read_uint(sink, *v, 1, 255, "hops")) {
      n.ebgp_multihop = static_cast<uint8_t>(*ttl);
      if (n.remote_as != 0 && !n.is_ebgp(router.local_as))
        sink.error(v->mark, v->path, "only applies to eBGP; this neighbour is iBGP (remote_as = local_as)");
    }
  }
  if (auto v = keys.get("next_hop_self")) {
    if (auto b = read_bool(sink, *v)) {
      n.next_hop_self = *b;
      if (*b && n.remote_as != 0 && n.is_ebgp(router.local_as))
        sink.error(v->mark, v->path,
                   "only applies to iBGP (remote_as = local_as); towards eBGP halink always sets its own address "
                   "as NEXT_HOP (RFC 4271 §5.1.3)");
    }
  }
  if (auto v = keys.get("password_file")) {
    if (auto path = read_string(sink, *v)) n.password_file = index.resolve_path(*path);
  }

  // Timers: hold time, then keepalive checked against it.
  std::optional<Located> hold_at = keys.get("hold_time");
  if (hold_at) {
    if (auto hold = read_hold_time(sink, *hold_at)) n.hold_time = *hold;
  }
  n.keepalive = n.hold_time / 3;
  if (auto v = keys.get("keepalive")) {
    if (auto keepalive = read_seconds(sink, *v, 0, 21845)) {
      n.keepalive = *keepalive;
      if (n.hold_time.is_zero() && !keepalive->is_zero()) {
        sink.error(v->mark, v->path, "must be 0 when hold_time is 0 (no keepalives are sent, RFC 4271 §4.4)");
      } else if (!n.hold_time.is_zero() && keepalive->is_zero()) {
        sink.error(v->mark, v->path,
                   "must not be 0 while hold_time is " + std::to_string(n.hold_time.s()) +
                       " s: the peer would expire the session");
      } else if (*keepalive * 3 > n.hold_time) {
        sink.error(v->mark, v->path,
                   "must be at most a third of hold_time (" + std::to_string(n.hold_time.s()) +
                       " s), so that two lost keepalives do not drop the session (RFC 4271 §10), got " +
                       std::to_string(keepalive->s()));
      }
    }
  }
  if (auto v = keys.get("connect_retry")) {
    if (auto retry = read_seconds(sink, *v, 1, 65535)) n.connect_retry = *retry;
  }
  if (auto v = keys.get("idle_hold_max")) {
    if (auto cap = read_seconds(sink, *v, 1, 3600)) n.idle_hold_max = *cap;
  }

  if (auto v = keys.get("families")) {
    for (const Located& element : read_list(sink, *v, /*allow_scalar=*/true)) {
      auto text = read_choice(sink, element, {"ipv4", "ipv6"});
      if (!text) continue;
      BgpFamily f = *text == "ipv4" ? BgpFamily::ipv4_unicast : BgpFamily::ipv6_unicast;
      if (n.has_family(f))
        sink.error(element.mark, element.path, "'" + *text + "' is listed twice");
      else
        n.families.push_back(f);
    }
    if (n.families.empty() && v->node.IsSequence())
      sink.error(v->mark, v->path, "must name at least one family (ipv4, ipv6)");
  }
  if (n.families.empty())
    n.families.push_back(n.address.is_v4() ? BgpFamily::ipv4_unicast : BgpFamily::ipv6_unicast);

  if (auto v = keys.get("bfd")) {
    bool ok = true;
    n.bfd = read_bfd(sink, *v, index, ok);
  }

  if (auto v = keys.get("import")) {
    if (auto p = read_policy_reference(sink, *v, router.policies, n.name + ".import")) n.policy.import_policy = *p;
  }
  if (auto v = keys.get("export")) {
    if (auto p = read_policy_reference(sink, *v, router.policies, n.name + ".export")) n.policy.export_policy = *p;
  }
  if (auto v = keys.get("max_prefix")) {
    if (auto limit = read_max_prefix(sink, *v)) {
      if (n.has_family(BgpFamily::ipv4_unicast)) n.policy.max_prefix_ipv4 = *limit;
      if (n.has_family(BgpFamily::ipv6_unicast)) n.policy.max_prefix_ipv6 = *limit;
    }
  }
  if (auto v = keys.get("honor_graceful_shutdown")) {
    if (auto b = read_bool(sink, *v)) n.policy.honor_graceful_shutdown = *b;
  }

  // Last, so that the neighbour's own key errors come first.
  if (index.whole_topology && n.tunnel.empty() && n.remote_as != 0 && !n.is_ebgp(router.local_as))
    check_site_pair_neighbor(sink, own.get("address").value_or(where), n, router, index);

  if (sink.count() != errors_before) return std::nullopt;
  return n;
}

}  // namespace halink::config
