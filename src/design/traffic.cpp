#include "design/traffic.h"

#include <algorithm>
#include <cstdio>
#include <limits>
#include <map>
#include <optional>
#include <set>

#include "design/provider_profiles.h"

namespace halink::design {

namespace {

// The attributes the decision process looks at, for one route.
// (A small model of bgp::PolicyEvaluator's behaviour on the attributes that
// matter here; routes modelled here carry no communities.)
struct Route {
  std::vector<uint32_t> as_path;
  uint32_t local_pref = 100;  // RFC 4271 §5.1.5: the usual default
  std::optional<uint32_t> med;
};

// Cisco/FRR prefix-list semantics (bgp/policy/policy.h, PrefixListEntry).
bool entry_matches(const bgp::PrefixListEntry& entry, const Prefix& route) {
  if (entry.prefix.family() != route.family() || !entry.prefix.contains(route)) return false;
  if (!entry.ge && !entry.le) return route.length() == entry.prefix.length();
  const int ge = entry.ge ? *entry.ge : entry.prefix.length();
  const int le = entry.le ? *entry.le : address_bits(route.family());
  return route.length() >= ge && route.length() <= le;
}

bool matches(const bgp::PolicyMatch& m, const Prefix& prefix, const Route& route) {
  if (m.family && *m.family != prefix.family()) return false;
  if (!m.prefixes.empty() &&
      std::none_of(m.prefixes.begin(), m.prefixes.end(), [&](const auto& e) { return entry_matches(e, prefix); }))
    return false;
  const size_t length = route.as_path.size();
  if (m.as_path_length_min && length < *m.as_path_length_min) return false;
  if (m.as_path_length_max && length > *m.as_path_length_max) return false;
  auto in_path = [&](uint32_t asn) { return std::find(route.as_path.begin(), route.as_path.end(), asn) != route.as_path.end(); };
  if (!m.as_path_contains.empty() && std::none_of(m.as_path_contains.begin(), m.as_path_contains.end(), in_path))
    return false;
  auto one_of = [](const std::vector<uint32_t>& list, uint32_t asn) {
    return std::find(list.begin(), list.end(), asn) != list.end();
  };
  if (!m.neighbor_as.empty() && (route.as_path.empty() || !one_of(m.neighbor_as, route.as_path.front()))) return false;
  if (!m.origin_as.empty() && (route.as_path.empty() || !one_of(m.origin_as, route.as_path.back()))) return false;
  if (!m.communities.empty() || !m.large_communities.empty()) return false;
  return true;
}

// The terms in order, then the default (policy.h). nullopt: rejected.
std::optional<Route> apply_policy(const bgp::Policy& policy, uint32_t own_as, const Prefix& prefix, Route route) {
  for (const bgp::PolicyTerm& term : policy.terms) {
    if (!matches(term.match, prefix, route)) continue;
    const bgp::PolicyActions& a = term.actions;
    if (a.set_local_pref) route.local_pref = *a.set_local_pref;
    route.as_path.insert(route.as_path.begin(), a.prepend_own_as, own_as);
    if (a.prepend_asn) route.as_path.insert(route.as_path.begin(), a.prepend_asn_count, *a.prepend_asn);
    if (a.strip_med) route.med.reset();
    if (a.set_med) route.med = *a.set_med;
    if (a.verdict == bgp::PolicyVerdict::accept) return route;
    if (a.verdict == bgp::PolicyVerdict::reject) return std::nullopt;
  }
  if (policy.default_verdict == bgp::PolicyVerdict::accept) return route;
  return std::nullopt;
}

bool originates(const config::RouterConfig& router, const Prefix& prefix) {
  if (router.managed()) return true;  // a provider gateway announces its network's prefixes
  return std::any_of(router.networks.begin(), router.networks.end(), [&](const Prefix& n) {
    return n.family() == prefix.family() && (n.contains(prefix) || prefix.contains(n));
  });
}

struct Learned {
  std::optional<Route> route;
  std::string why_not;  // when there is no route
};

// `prefix` as `receiver` holds it after `announcer` sent it over one session.
Learned learn(const SessionSide& announcer, const SessionSide& receiver, const Prefix& prefix) {
  const config::RouterConfig& from = *announcer.router;
  const config::RouterConfig& to = *receiver.router;
  if (!originates(from, prefix))
    return {std::nullopt, from.name + " does not originate " + prefix.to_string() + " (networks)"};
  Route route;
  const bool ebgp = from.local_as != to.local_as;
  if (!announcer.implied()) {
    const config::Neighbor& n = *announcer.neighbor;
    if (n.policy.export_policy) {
      auto exported = apply_policy(*n.policy.export_policy, from.local_as, prefix, route);
      if (!exported)
        return {std::nullopt, "the export policy of " + from.name + " towards " + n.name + " rejects " +
                                  prefix.to_string()};
      route = *exported;
    } else if (ebgp && !from.managed()) {
      return {std::nullopt, from.name + " has no export policy towards " + n.name +
                                " and announces nothing to an eBGP peer (RFC 8212)"};
    }
  }
  // RFC 4271 §5.1.2: an eBGP speaker prepends its own AS; LOCAL_PREF is not sent (§5.1.5).
  if (ebgp) route.as_path.insert(route.as_path.begin(), from.local_as);
  route.local_pref = 100;
  if (std::find(route.as_path.begin(), route.as_path.end(), to.local_as) != route.as_path.end())
    return {std::nullopt, to.name + " drops the route: its own AS " + std::to_string(to.local_as) +
                              " is in the AS path (RFC 4271 §9.1.2)"};
  if (!receiver.implied()) {
    const config::Neighbor& n = *receiver.neighbor;
    if (n.policy.import_policy) {
      auto imported = apply_policy(*n.policy.import_policy, to.local_as, prefix, route);
      if (!imported)
        return {std::nullopt, "the import policy of " + to.name + " from " + n.name + " rejects " + prefix.to_string()};
      route = *imported;
    } else if (ebgp && !to.managed()) {
      return {std::nullopt, to.name + " has no import policy for " + n.name +
                                " and accepts nothing from an eBGP peer (RFC 8212)"};
    }
  }
  return {route, ""};
}

struct Candidate {
  std::string tunnel;
  Route route;
  uint32_t neighbor_as = 0;
};

// RFC 4271 §9.1.2.2 a-c in order. MED is compared only between routes from
// the same neighbour AS; a missing MED counts as 0.
bool better(const Candidate& x, const Candidate& y) {
  if (x.route.local_pref != y.route.local_pref) return x.route.local_pref > y.route.local_pref;
  if (x.route.as_path.size() != y.route.as_path.size()) return x.route.as_path.size() < y.route.as_path.size();
  if (x.neighbor_as == y.neighbor_as) return x.route.med.value_or(0) < y.route.med.value_or(0);
  return false;
}

bool equal_for_multipath(const Candidate& x, const Candidate& best, bool relax) {
  if (better(best, x)) return false;
  return relax || x.neighbor_as == best.neighbor_as;
}

size_t max_paths_of(const config::RouterConfig& router) {
  if (const ProviderProfile* p = provider_profile_of(router))
    return p->ecmp_supported ? std::numeric_limits<size_t>::max() : 1;
  return std::max<uint32_t>(router.ecmp.max_paths, 1);
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) out += (i ? ", " : "") + items[i];
  return out;
}

// "a, b and c"
std::string join_and(const std::vector<std::string>& items) {
  if (items.size() < 2) return join(items);
  return join(std::vector<std::string>(items.begin(), items.end() - 1)) + " and " + items.back();
}

std::string percent(double share) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.0f %%", share * 100.0);
  return buffer;
}

std::string mbps(uint64_t bps) { return std::to_string(bps / 1'000'000) + " Mbit/s"; }

struct SessionBetween {
  const Session* session;
  SessionSide sender;    // in the sending site
  SessionSide announcer; // in the receiving site
  std::string tunnel;    // tunnel name, or the session's description
};

std::vector<SessionBetween> sessions_between(const SessionMap& sessions, const std::string& from, const std::string& to) {
  std::vector<SessionBetween> out;
  for (const Session& s : sessions.sessions) {
    if (s.shutdown()) continue;
    const std::string name = s.tunnel.empty() ? s.describe() : s.tunnel;
    if (s.a.router->site == from && s.b.router->site == to) out.push_back({&s, s.a, s.b, name});
    else if (s.b.router->site == from && s.a.router->site == to) out.push_back({&s, s.b, s.a, name});
  }
  return out;
}

std::string underlay_of(const config::Topology& topology, const std::string& tunnel) {
  const config::Tunnel* t = topology.find_tunnel(tunnel);
  return t ? t->underlay : std::string();
}

// Routers of `site` in their order in the file.
std::vector<const config::RouterConfig*> routers_of(const config::Topology& topology, const std::string& site) {
  std::vector<const config::RouterConfig*> out;
  for (const config::RouterConfig& r : topology.routers)
    if (r.site == site) out.push_back(&r);
  return out;
}

void analyse_direction(const config::Topology& topology, const SessionMap& sessions, const config::Site& from,
                       const config::Site& to, TrafficAnalysis& analysis, Report& report) {
  const std::vector<SessionBetween> between = sessions_between(sessions, from.name, to.name);
  if (between.empty() || to.prefixes.empty()) return;
  std::map<std::string, double> share;  // by tunnel
  std::map<std::string, std::string> sender_of;
  for (const SessionBetween& b : between) {
    share[b.tunnel] = 0.0;
    sender_of[b.tunnel] = b.sender.router_name();
  }
  std::vector<std::string> reasons;
  const double per_prefix = 1.0 / static_cast<double>(to.prefixes.size());

  for (const Prefix& prefix : to.prefixes) {
    std::vector<RouteChoice> choices;
    for (const config::RouterConfig* router : routers_of(topology, from.name)) {
      std::vector<Candidate> candidates;
      for (const SessionBetween& b : between) {
        if (b.sender.router != router) continue;
        Learned learned = learn(b.announcer, b.sender, prefix);
        if (!learned.route) {
          if (std::find(reasons.begin(), reasons.end(), learned.why_not) == reasons.end())
            reasons.push_back(learned.why_not);
          continue;
        }
        candidates.push_back({b.tunnel, *learned.route, b.announcer.router->local_as});
      }
      if (candidates.empty()) continue;
      const Candidate best = *std::min_element(candidates.begin(), candidates.end(), better);
      RouteChoice choice{router->name, from.name, to.name, {}, {}, best.route.local_pref, best.route.as_path.size()};
      std::vector<std::string> equal;
      for (const Candidate& c : candidates) {
        choice.candidate_tunnels.push_back(c.tunnel);
        if (equal_for_multipath(c, best, router->ecmp.multipath_relax)) equal.push_back(c.tunnel);
      }
      const size_t limit = max_paths_of(*router);
      choice.chosen_tunnels.assign(equal.begin(), equal.begin() + static_cast<std::ptrdiff_t>(std::min(limit, equal.size())));
      if (equal.size() > choice.chosen_tunnels.size() && prefix == to.prefixes.front()) {
        const ProviderProfile* profile = provider_profile_of(*router);
        report.add({Severity::info, profile ? FindingKind::provider_limit : FindingKind::active_passive,
                    {router->name},
                    router->name + " has " + std::to_string(equal.size()) + " equal paths to site " + to.name + " (" +
                        join(equal) + ") but uses " + std::to_string(choice.chosen_tunnels.size()) +
                        (profile ? " (" + profile->display_name + " does not spread traffic over several tunnels)"
                                 : " (ecmp.max_paths " + std::to_string(router->ecmp.max_paths) + ")"),
                    profile ? "" : "set ecmp.max_paths to " + std::to_string(equal.size()) + " on " + router->name +
                                       " for active/active"});
      }
      choices.push_back(std::move(choice));
    }
    if (choices.empty()) continue;
    const double per_router = per_prefix / static_cast<double>(choices.size());
    for (const RouteChoice& c : choices)
      for (const std::string& t : c.chosen_tunnels) share[t] += per_router / static_cast<double>(c.chosen_tunnels.size());
    for (RouteChoice& c : choices) analysis.choices.push_back(std::move(c));
  }

  double total = 0.0;
  for (const SessionBetween& b : between) {
    TunnelShare s{from.name, to.name, b.tunnel, underlay_of(topology, b.tunnel), b.sender.router_name(), share[b.tunnel]};
    total += s.share;
    analysis.shares.push_back(s);
    report.traffic.push_back(s);
  }
  const std::string direction = from.name + " -> " + to.name;
  if (total <= 0.0) {
    std::vector<std::string> shown(reasons.begin(), reasons.begin() + static_cast<std::ptrdiff_t>(std::min<size_t>(3, reasons.size())));
    report.add({Severity::error, FindingKind::no_route, {from.name, to.name},
                "no router of site " + from.name + " learns a route to site " + to.name + ": " + join(shown),
                "announce the site's prefixes (networks) and give every eBGP neighbour import and export policies"});
    return;
  }

  // Active/passive: tunnels with a session but no traffic.
  std::vector<std::string> active, standby;
  for (const SessionBetween& b : between) (share[b.tunnel] > 0.0 ? active : standby).push_back(b.tunnel);
  if (!standby.empty()) {
    std::set<std::string> active_underlays, standby_underlays;
    for (const std::string& t : active) active_underlays.insert(underlay_of(topology, t));
    for (const std::string& t : standby) standby_underlays.insert(underlay_of(topology, t));
    auto capacity = [&](const std::set<std::string>& underlays) {
      uint64_t sum = 0;
      for (const std::string& u : underlays)
        if (const config::Underlay* found = topology.find_underlay(u)) sum += found->bandwidth_bps;
      return sum;
    };
    std::string message = direction + " is active/passive: " + join(active) + " carry the traffic; " + join(standby) +
                          " (underlay " + join(std::vector<std::string>(standby_underlays.begin(), standby_underlays.end())) +
                          ") stay warm as standby and take over when the active paths fail";
    const uint64_t active_bps = capacity(active_underlays);
    uint64_t standby_only = 0;
    for (const std::string& u : standby_underlays)
      if (!active_underlays.count(u))
        if (const config::Underlay* found = topology.find_underlay(u)) standby_only += found->bandwidth_bps;
    if (standby_only > 0 && active_bps > standby_only)
      message += "; after a failover only " + mbps(standby_only) + " are left instead of " + mbps(active_bps);
    report.add({Severity::info, FindingKind::active_passive, standby, message, ""});
  }

  // Active/active over underlays of different bandwidth.
  std::map<std::string, double> by_underlay;
  for (const SessionBetween& b : between)
    if (share[b.tunnel] > 0.0) by_underlay[underlay_of(topology, b.tunnel)] += share[b.tunnel];
  if (by_underlay.size() >= 2) {
    uint64_t low = std::numeric_limits<uint64_t>::max(), high = 0, sum = 0;
    double saturates_at = std::numeric_limits<double>::max();
    std::string bottleneck;
    std::vector<std::string> parts;
    for (const auto& [name, s] : by_underlay) {
      const config::Underlay* u = topology.find_underlay(name);
      if (!u || u->bandwidth_bps == 0) continue;
      low = std::min(low, u->bandwidth_bps);
      high = std::max(high, u->bandwidth_bps);
      sum += u->bandwidth_bps;
      parts.push_back(name + " (" + mbps(u->bandwidth_bps) + ", " + percent(s) + ")");
      const double limit = static_cast<double>(u->bandwidth_bps) / s;
      if (limit < saturates_at) {
        saturates_at = limit;
        bottleneck = name;
      }
    }
    if (high > low && !bottleneck.empty()) {
      report.add({Severity::warning, FindingKind::unequal_bandwidth, {from.name, to.name, bottleneck},
                  "traffic " + direction + " is spread over " + join_and(parts) + ": " + bottleneck +
                      " saturates when the total reaches " + mbps(static_cast<uint64_t>(saturates_at)) +
                      ", although the underlays together carry " + mbps(sum) +
                      "; nothing moves traffic off it and the loss looks random",
                  "make " + bottleneck + " the standby: prepend on the sessions over " + bottleneck +
                      " in the export policy of site " + to.name +
                      "'s routers (the side that announces decides how the other side sends)"});
    }
  }
}

// Each router's tunnels that send to / receive from another site.
void check_return_paths(const config::Topology& topology, const TrafficAnalysis& analysis, Report& report) {
  for (const config::RouterConfig& router : topology.routers) {
    if (router.managed()) continue;
    std::set<std::string> sends, receives;
    std::set<std::string> peers;
    for (const TunnelShare& s : analysis.shares) {
      if (s.share <= 0.0) continue;
      if (s.sender == router.name) sends.insert(s.tunnel);
      const config::Tunnel* t = topology.find_tunnel(s.tunnel);
      if (t && t->end_at(router.name) && s.sender != router.name) {
        receives.insert(s.tunnel);
        peers.insert(s.from_site);
      }
    }
    std::vector<std::string> stray;
    for (const std::string& t : receives)
      if (!sends.count(t)) stray.push_back(t);
    if (stray.empty() || sends.empty()) continue;
    report.add({Severity::warning, FindingKind::reverse_path_filter, {router.name},
                router.name + " receives traffic over " + join(stray) + " but sends the other direction only over " +
                    join(std::vector<std::string>(sends.begin(), sends.end())) +
                    ": with strict reverse-path filtering (rp_filter=1) it drops those packets",
                "set net.ipv4.conf.<tunnel>.rp_filter=2 (loose) on " + router.name +
                    "'s tunnel interfaces, or make both directions prefer the same tunnels (prepend on both sides)"});
  }
}

// The stateful devices between a router and its LAN ("" when none).
std::string stateful_path(const config::Topology& topology, const std::string& router) {
  std::vector<std::string> devices;
  for (const config::Device& d : topology.devices)
    if (d.stateful && std::find(d.outside.begin(), d.outside.end(), router) != d.outside.end())
      devices.push_back(d.name);
  return join(devices);
}

void check_stateful_devices(const config::Topology& topology, const TrafficAnalysis& analysis, Report& report) {
  for (const config::Site& site : topology.sites) {
    bool has_stateful = std::any_of(topology.devices.begin(), topology.devices.end(),
                                    [&](const config::Device& d) { return d.site == site.name && d.stateful; });
    if (!has_stateful) continue;
    // Routers of this site that carry traffic in either direction.
    std::set<std::string> routers;
    for (const TunnelShare& s : analysis.shares) {
      if (s.share <= 0.0) continue;
      const config::Tunnel* t = topology.find_tunnel(s.tunnel);
      if (s.from_site == site.name) routers.insert(s.sender);
      else if (s.to_site == site.name && t) {
        const config::TunnelEnd* end = t->other_end(s.sender);
        if (end) routers.insert(end->router);
      }
    }
    std::map<std::string, std::vector<std::string>> routers_by_path;
    for (const std::string& r : routers) routers_by_path[stateful_path(topology, r)].push_back(r);
    if (routers_by_path.size() < 2) continue;
    std::vector<std::string> paths;
    std::vector<std::string> elements;
    for (const auto& [devices, rs] : routers_by_path) {
      paths.push_back((devices.empty() ? std::string("no firewall") : devices) + " (" + join(rs) + ")");
      elements.insert(elements.end(), rs.begin(), rs.end());
    }
    report.add({Severity::warning, FindingKind::asymmetric_stateful, elements,
                "site " + site.name + " sends and receives over routers behind different stateful devices: " +
                    join(paths) +
                    "; with ECMP a reply can come back through a device that never saw the request and is dropped",
                "sync state between the devices (an HA cluster), put one stateful device in front of all routers, or "
                "keep each flow on one router (active/passive by prepend in both directions)"});
  }
}

}  // namespace

TrafficAnalysis analyse_traffic(const config::Topology& topology, const SessionMap& sessions, Report& report) {
  TrafficAnalysis analysis;
  for (const config::Site& from : topology.sites)
    for (const config::Site& to : topology.sites)
      if (from.name != to.name) analyse_direction(topology, sessions, from, to, analysis, report);
  check_return_paths(topology, analysis, report);
  check_stateful_devices(topology, analysis, report);
  return analysis;
}

}  // namespace halink::design
