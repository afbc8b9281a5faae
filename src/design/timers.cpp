#include "design/timers.h"

#include <algorithm>
#include <set>

#include "config/defaults.h"
#include "design/provider_profiles.h"

namespace halink::design {

const SessionTimers* TimerAnalysis::find(const std::string& tunnel) const {
  for (const SessionTimers& s : sessions)
    if (s.tunnel == tunnel) return &s;
  return nullptr;
}

namespace {

std::string bfd_text(const config::BfdSettings& bfd) {
  return "BFD " + bfd.interval.to_string() + " x " + std::to_string(bfd.multiplier);
}

bool user_set_timers(const config::Neighbor& n) {
  return n.hold_time != config::defaults::hold_time || n.keepalive != config::defaults::hold_time / 3;
}

// One end's timers before negotiation: what it proposes and can do.
SideTimers side_settings(const SessionSide& side, const config::Tunnel* tunnel, Report& report) {
  SideTimers t;
  t.router = side.router_name();
  t.neighbor = side.implied() ? std::string("(provider)") : side.neighbor->name;
  const ProviderProfile* profile = provider_profile_of(*side.router);
  if (!profile) {
    t.proposed_hold = side.neighbor->hold_time;
    t.keepalive = side.neighbor->keepalive;
    t.bfd = side.neighbor->bfd;
    return t;
  }
  t.bfd_possible = profile->bfd_supported;
  if (tunnel && tunnel->kind != config::TunnelKind::circuit) t.dead_peer_detection = profile->dead_peer_detection;
  if (profile->timers_fixed) {
    t.timers_fixed = true;
    t.proposed_hold = profile->hold_time;
    t.keepalive = profile->keepalive;
    if (!side.implied() && user_set_timers(*side.neighbor) &&
        (side.neighbor->hold_time != profile->hold_time || side.neighbor->keepalive != profile->keepalive))
      report.add({Severity::warning, FindingKind::provider_limit, {t.router},
                  "gateway " + t.router + " (" + profile->display_name + ") is configured with keepalive " +
                      side.neighbor->keepalive.to_string() + " / hold " + side.neighbor->hold_time.to_string() +
                      " towards " + side.neighbor->name + ", but the provider fixes them at " +
                      profile->keepalive.to_string() + " / " + profile->hold_time.to_string(),
                  "remove the timers from " + t.router + " and size the other end's hold time for " +
                      profile->keepalive.to_string() + " keepalives"});
  } else {
    Duration keepalive = profile->keepalive;
    if (!side.implied()) {
      const Duration wanted = side.neighbor->keepalive;
      if (wanted >= profile->keepalive_min && wanted <= profile->keepalive_max) {
        keepalive = wanted;
      } else if (user_set_timers(*side.neighbor)) {
        report.add({Severity::warning, FindingKind::provider_limit, {t.router},
                    "gateway " + t.router + " (" + profile->display_name + ") cannot send keepalives every " +
                        wanted.to_string() + ": the provider allows " + profile->keepalive_min.to_string() + " to " +
                        profile->keepalive_max.to_string() + "; the analysis uses its default " +
                        profile->keepalive.to_string(),
                    "set a keepalive between " + profile->keepalive_min.to_string() + " and " +
                        profile->keepalive_max.to_string()});
      }
    }
    t.keepalive = keepalive;
    t.proposed_hold = keepalive * profile->hold_per_keepalive;
  }
  if (!side.implied()) {
    t.bfd = side.neighbor->bfd;
    if (t.bfd && !profile->bfd_supported)
      report.add({Severity::error, FindingKind::provider_limit, {t.router},
                  "gateway " + t.router + " has BFD configured, but " + profile->display_name +
                      " does not offer BFD on VPN tunnels: it will never answer",
                  "remove BFD from " + t.router + " and its peers; detection then rests on the BGP hold time" +
                      std::string(profile->dead_peer_detection ? " and IPsec dead-peer detection" : "")});
  }
  return t;
}

// RFC 5880 §6.8.4: the detection time at one end is the remote Detect Mult
// times the agreed interval (the slower of the two ends' intervals here,
// since each end uses its interval for both TX and RX, §6.8.2-§6.8.3).
Duration bfd_detection(const config::BfdSettings& local, const config::BfdSettings& remote) {
  return std::max(local.interval, remote.interval) * remote.multiplier;
}

void set_detection(SideTimers& side, Duration negotiated_hold, std::optional<Duration> bfd) {
  auto consider = [&](Duration d, const std::string& what) {
    if (d < side.detection) {
      side.detection = d;
      side.mechanism = what;
    }
  };
  if (bfd) consider(*bfd, "BFD");
  if (!negotiated_hold.is_zero()) consider(negotiated_hold, "BGP hold timer " + negotiated_hold.to_string());
  if (side.dead_peer_detection) consider(*side.dead_peer_detection, "IPsec dead-peer detection");
  if (side.detection == Duration::infinite()) side.mechanism = "nothing (hold time 0, no BFD)";
}

void check_keepalive(const SideTimers& sender, const SideTimers& receiver, Duration negotiated, Report& report) {
  if (negotiated.is_zero()) return;
  if (sender.keepalive.is_zero() || sender.keepalive >= negotiated) {
    std::string advice = sender.timers_fixed
                             ? "raise the hold time on " + receiver.router + " towards " + sender.router +
                                   " to at least " + (sender.keepalive * 3).to_string() + " (3 keepalives)"
                             : "set keepalive on " + sender.router + " to a third of the hold time (" +
                                   (negotiated / 3).to_string() + ")";
    report.add({Severity::error, FindingKind::keepalive_too_slow, {sender.router, receiver.router},
                sender.router + " sends keepalives every " + sender.keepalive.to_string() +
                    " but the negotiated hold time is " + negotiated.to_string() + ": " + receiver.router +
                    " expires the session again and again and it flaps",
                advice});
  } else if (sender.keepalive * 3 > negotiated) {
    report.add({Severity::warning, FindingKind::keepalive_too_slow, {sender.router, receiver.router},
                sender.router + " sends keepalives every " + sender.keepalive.to_string() + " against a hold time of " +
                    negotiated.to_string() + ": losing one keepalive drops the session (RFC 4271 §10 suggests a "
                    "third of the hold time)",
                "use a keepalive of at most " + (negotiated / 3).to_string()});
  }
}

std::string seconds(Duration d) { return d == Duration::infinite() ? std::string("never") : d.to_string(); }

}  // namespace

TimerAnalysis analyse_timers(const config::Topology& topology, const SessionMap& sessions, const TopologyGraph& graph,
                             Report& report) {
  TimerAnalysis analysis;
  analysis.sessions.reserve(sessions.sessions.size());
  std::set<std::pair<std::string, std::string>> asn_checked;
  std::vector<const SessionTimers*> slow_sessions;

  for (const Session& session : sessions.sessions) {
    const config::Tunnel* tunnel = session.tunnel.empty() ? nullptr : topology.find_tunnel(session.tunnel);
    SessionTimers st;
    st.session = session.describe();
    st.tunnel = session.tunnel;
    st.a = side_settings(session.a, tunnel, report);
    st.b = side_settings(session.b, tunnel, report);
    const std::string where = tunnel ? "tunnel " + tunnel->name : "session " + st.session;

    // Remote AS: each configured end must name the other's local AS.
    for (const auto& [near, far] : {std::pair{session.a, session.b}, std::pair{session.b, session.a}}) {
      if (near.implied() || near.neighbor->remote_as == far.router->local_as) continue;
      report.add({Severity::error, FindingKind::remote_as_mismatch, {near.router_name(), far.router_name()},
                  near.router_name() + " expects AS " + std::to_string(near.neighbor->remote_as) + " on " + where +
                      " but " + far.router_name() + " is AS " + std::to_string(far.router->local_as) +
                      ": the OPEN is refused (RFC 4271 §6.2, Bad Peer AS) and the session never comes up",
                  "set remote_as " + std::to_string(far.router->local_as) + " on " + near.router_name()});
    }

    if (session.shutdown()) {
      report.add({Severity::info, FindingKind::idle_tunnel, {session.a.router_name(), session.b.router_name()},
                  "session " + st.session + " is shut down: it carries no routes", ""});
      continue;
    }

    // Hold time: the smaller proposal wins (RFC 4271 §4.2); zero wins outright.
    st.negotiated_hold = (st.a.proposed_hold.is_zero() || st.b.proposed_hold.is_zero())
                             ? Duration::zero()
                             : std::min(st.a.proposed_hold, st.b.proposed_hold);
    for (SideTimers* side : {&st.a, &st.b})
      if (!side->timers_fixed && !st.negotiated_hold.is_zero())
        side->keepalive = std::min(side->keepalive, st.negotiated_hold / 3);
    if (st.a.proposed_hold != st.b.proposed_hold) {
      report.add({Severity::warning, FindingKind::hold_time_mismatch, {st.a.router, st.b.router},
                  where + ": " + st.a.router + " proposes hold time " + st.a.proposed_hold.to_string() + ", " +
                      st.b.router + " " + st.b.proposed_hold.to_string() + "; both use " +
                      st.negotiated_hold.to_string() + " (the smaller, RFC 4271 §4.2). " + st.a.router +
                      " then sends keepalives every " + st.a.keepalive.to_string() + ", " + st.b.router + " every " +
                      st.b.keepalive.to_string(),
                  "configure the same hold time on both ends so failure detection is predictable"});
    }
    check_keepalive(st.a, st.b, st.negotiated_hold, report);
    check_keepalive(st.b, st.a, st.negotiated_hold, report);

    // BFD: up only when both ends run it.
    const bool a_runs = st.a.bfd && st.a.bfd_possible;
    const bool b_runs = st.b.bfd && st.b.bfd_possible;
    st.bfd_up = a_runs && b_runs;
    std::optional<Duration> bfd_at_a, bfd_at_b;
    if (st.bfd_up) {
      bfd_at_a = bfd_detection(*st.a.bfd, *st.b.bfd);
      bfd_at_b = bfd_detection(*st.b.bfd, *st.a.bfd);
      if (*st.a.bfd != *st.b.bfd) {
        report.add({*bfd_at_a == *bfd_at_b ? Severity::info : Severity::warning, FindingKind::bfd_mismatch,
                    {st.a.router, st.b.router},
                    where + ": BFD differs between the ends (" + st.a.router + " " + bfd_text(*st.a.bfd) + ", " +
                        st.b.router + " " + bfd_text(*st.b.bfd) + "); both send at the slower interval, so " +
                        st.a.router + " detects a failure after " + bfd_at_a->to_string() + " and " + st.b.router +
                        " after " + bfd_at_b->to_string() + " (RFC 5880 §6.8.4)",
                    "use the same interval and multiplier on both ends"});
      }
    } else if (st.a.bfd || st.b.bfd) {
      // `with` runs BFD (or at least has it configured); `without` cannot answer.
      const bool a_is_with = a_runs || (!b_runs && st.a.bfd);
      const SideTimers& with = a_is_with ? st.a : st.b;
      const SideTimers& without = a_is_with ? st.b : st.a;
      const bool provider_cannot = !without.bfd_possible;
      const bool both_configured = st.a.bfd && st.b.bfd;
      if (!both_configured || provider_cannot) {
        const Duration fallback = st.negotiated_hold.is_zero() ? Duration::infinite() : st.negotiated_hold;
        report.add({Severity::warning, FindingKind::bfd_one_sided, {with.router, without.router},
                    where + ": BFD runs on " + with.router + " only" +
                        (provider_cannot ? " (" + without.router + " is a provider gateway without BFD)" : "") +
                        ", so the BFD session never comes up and neither end gets fast detection: a silent failure "
                        "is noticed only after " +
                        seconds(fallback) + " (hold timer) instead of " + bfd_text(*with.bfd) + "'s " +
                        with.bfd->detection_time().to_string(),
                    provider_cannot ? "remove BFD towards " + without.router +
                                          " and lower the hold time as far as the provider allows"
                                    : "enable BFD on " + without.router + " towards " + with.router +
                                          " with the same interval and multiplier"});
      }
    }

    if (st.bfd_up) {
      const Duration agreed = std::max(st.a.bfd->interval, st.b.bfd->interval);
      if (agreed < Duration::milliseconds(100))
        report.add({Severity::info, FindingKind::aggressive_bfd, {st.a.router, st.b.router},
                    where + ": BFD every " + agreed.to_string() +
                        " is fast enough for load alone to take the session down: in the lab notes, 50 ms x 3 over "
                        "a saturated wireguard-go tunnel dropped once in 45 s, and 50 ms and 100 ms dropped under CPU "
                        "contention, while 300 ms did not",
                    "test the interval under full traffic and CPU load, or use 100-300 ms"});
    }
    set_detection(st.a, st.negotiated_hold, bfd_at_a);
    set_detection(st.b, st.negotiated_hold, bfd_at_b);
    if (st.a.detection == Duration::infinite() && st.b.detection == Duration::infinite()) {
      report.add({Severity::warning, FindingKind::detection_asymmetry, {st.a.router, st.b.router},
                  where + ": neither end ever notices a silent failure (hold time 0 and no BFD): traffic keeps "
                          "going into a dead tunnel until someone intervenes",
                  "use a non-zero hold time, and BFD where both ends support it"});
    } else {
      const SideTimers& fast = st.a.detection <= st.b.detection ? st.a : st.b;
      const SideTimers& slow = st.a.detection <= st.b.detection ? st.b : st.a;
      const Duration gap = slow.detection == Duration::infinite() ? Duration::infinite() : slow.detection - fast.detection;
      if (gap >= Duration::seconds(1) && (gap == Duration::infinite() || slow.detection >= fast.detection * 2)) {
        report.add({Severity::warning, FindingKind::detection_asymmetry, {fast.router, slow.router},
                    "if " + where + " fails silently, " + fast.router + " stops using it after " +
                        fast.detection.to_string() + " (" + fast.mechanism + ") but " + slow.router +
                        " keeps sending into it for up to " + seconds(slow.detection) + " (" + slow.mechanism +
                        "): traffic " + slow.router + " -> " + fast.router + " is lost for " + seconds(gap) +
                        " longer than the other direction",
                    "make both ends detect alike: the same BFD on both ends, or the same (lower) hold time"});
      }
    }
    const Duration slower = std::max(st.a.detection, st.b.detection);
    if (slower >= Duration::seconds(60) && slower != Duration::infinite()) slow_sessions.push_back(&st);
    report.detection.push_back({st.tunnel.empty() ? st.session : st.tunnel, st.a.router, st.a.detection,
                                st.a.mechanism, st.b.router, st.b.detection, st.b.mechanism});

    // Provider limits that concern the peer of a managed gateway.
    for (const auto& [gateway, peer] : {std::pair{session.a, session.b}, std::pair{session.b, session.a}}) {
      const ProviderProfile* profile = provider_profile_of(*gateway.router);
      if (!profile || provider_profile_of(*peer.router)) continue;
      if (asn_checked.insert({gateway.router_name(), peer.router_name()}).second) {
        for (const AsnRange& range : profile->reserved_peer_asns) {
          if (!range.contains(peer.router->local_as)) continue;
          report.add({Severity::error, FindingKind::provider_limit, {peer.router_name(), gateway.router_name()},
                      peer.router_name() + " uses AS " + std::to_string(peer.router->local_as) + ", which " +
                          profile->display_name + " reserves: the connection to " + gateway.router_name() +
                          " is refused",
                      "choose another private AS for " + peer.router_name()});
          break;
        }
      }
      if (tunnel && profile->link_local_range_low) {
        const config::TunnelEnd* end = tunnel->end_at(gateway.router_name());
        if (end && end->address.address.is_v4() && end->address.address.is_link_local()) {
          const uint32_t a = end->address.address.v4_host_order();
          if (a < profile->link_local_range_low->v4_host_order() || a > profile->link_local_range_high->v4_host_order())
            report.add({Severity::error, FindingKind::provider_limit, {gateway.router_name(), tunnel->name},
                        "tunnel " + tunnel->name + " gives " + gateway.router_name() + " the address " +
                            end->address.address.to_string() + ", outside the range " + profile->display_name +
                            " accepts for BGP peering (" + profile->link_local_range_low->to_string() + " - " +
                            profile->link_local_range_high->to_string() + ")",
                        "renumber the tunnel inside " + profile->link_local_range_low->to_string() + " - " +
                            profile->link_local_range_high->to_string()});
        }
      }
    }
    analysis.sessions.push_back(std::move(st));
    if (!slow_sessions.empty() && slow_sessions.back() == &st) slow_sessions.back() = &analysis.sessions.back();
  }

  // Slow detection, once for the design: the article's "network blip depends
  // on your decisions regarding keep-alive timers".
  if (!slow_sessions.empty()) {
    std::string names;
    Duration worst = Duration::zero();
    bool improvable = false;
    for (const SessionTimers* s : slow_sessions) {
      names += (names.empty() ? "" : ", ") + (s->tunnel.empty() ? s->session : s->tunnel);
      worst = std::max({worst, s->a.detection, s->b.detection});
      improvable = improvable || (s->a.bfd_possible && s->b.bfd_possible);
    }
    report.add({improvable ? Severity::warning : Severity::info, FindingKind::slow_detection, {},
                std::to_string(slow_sessions.size()) + " of " + std::to_string(analysis.sessions.size()) +
                    " sessions notice a silent tunnel failure only after up to " + worst.to_string() + " (" + names +
                    "): the flows on a black-holed tunnel are lost that long",
                improvable ? "enable BFD on both ends (or lower the hold time on both ends)"
                           : "the provider fixes these timers; spread flows over all tunnels (ECMP) so a black hole "
                             "hits only the flows hashed onto that tunnel"});
  }

  for (const HalfSession& half : sessions.one_sided) {
    const std::string over = half.tunnel.empty() ? std::string() : " over tunnel " + half.tunnel;
    report.add({Severity::error, FindingKind::session_one_sided, {half.side.router_name(), half.peer_router},
                half.side.router_name() + " has a BGP neighbour " + half.side.neighbor->name + " towards " +
                    half.peer_router + over + ", but " + half.peer_router +
                    " has no neighbour back: the session never comes up" +
                    (half.tunnel.empty() ? std::string() : " and " + half.tunnel + " carries no routes"),
                "add a neighbour on " + half.peer_router + (half.tunnel.empty() ? "" : " for tunnel " + half.tunnel) +
                    " with remote_as " + std::to_string(half.side.router->local_as)});
  }
  std::set<std::string> explained;
  for (const HalfSession& half : sessions.one_sided) explained.insert(half.tunnel);
  for (const Session& s : sessions.sessions)
    if (s.shutdown()) explained.insert(s.tunnel);
  for (ElementId id : graph.idle_tunnels()) {
    const std::string& name = graph.element(id).name;
    if (explained.count(name)) continue;
    report.add({Severity::warning, FindingKind::idle_tunnel, {name},
                "tunnel " + name + " has no BGP session (and no static route) on it: it never carries traffic",
                "add a neighbour for " + name + " on both of its routers"});
  }
  return analysis;
}

}  // namespace halink::design
