#include "runtime/views_json.h"

namespace halink::runtime {

namespace {

nlohmann::json optional_json(const auto& value) { return value ? nlohmann::json(*value) : nlohmann::json(); }

// Families as the CLI names them ("ipv4", "ipv6"); other AFI/SAFIs by their full name.
std::string family_text(const bgp::AfiSafi& f) { return f.is_unicast() ? family_name(f.family()) : f.to_string(); }

nlohmann::json family_list(const std::vector<bgp::AfiSafi>& families) {
  nlohmann::json list = nlohmann::json::array();
  for (const bgp::AfiSafi& f : families) list.push_back(family_text(f));
  return list;
}

nlohmann::json to_json(const bgp::AddPath& a) {
  return {{"family", family_text(a.afi_safi)}, {"send", a.send}, {"receive", a.receive}};
}

nlohmann::json to_json(const bgp::GracefulRestart& gr) {
  nlohmann::json families = nlohmann::json::array();
  for (const auto& f : gr.families)
    families.push_back({{"family", family_text(f.afi_safi)}, {"forwarding_preserved", f.forwarding_preserved}});
  return {{"restart_time_seconds", gr.restart_time},
          {"restart_state", gr.restart_state},
          {"notification", gr.notification},
          {"families", families}};
}

// What we offer in our OPEN, from the configuration.
nlohmann::json advertised_capabilities(const bgp::SessionConfig& c) {
  nlohmann::json add_path = nlohmann::json::array();
  for (const bgp::AddPath& a : c.add_path) add_path.push_back(to_json(a));
  return {{"families", family_list(c.families.empty() ? std::vector{bgp::AfiSafi::unicast(Family::ipv4)}
                                                      : c.families)},
          {"four_octet_as", c.four_octet_as},
          {"route_refresh", c.route_refresh},
          {"enhanced_route_refresh", c.enhanced_route_refresh},
          {"extended_message", c.extended_message},
          {"add_path", add_path},
          {"graceful_restart", c.graceful_restart ? to_json(*c.graceful_restart) : nlohmann::json()}};
}

nlohmann::json to_json(const bgp::MaxPrefix& m) {
  return {{"limit", m.limit},
          {"warning_only", m.warning_only},
          {"restart_after_seconds", m.restart_after.s()},
          {"warning_threshold_percent", m.warning_threshold_percent}};
}

// A policy by name; an inline one has no name, an absent one is null (RFC 8212 applies to eBGP).
nlohmann::json policy_name(const std::optional<bgp::Policy>& p) {
  if (!p) return nullptr;
  return p->name.empty() ? std::string("(inline)") : p->name;
}

nlohmann::json to_json(const bgp::NeighborView::PrefixCounts& c) {
  return {{"received", optional_json(c.received)}, {"accepted", c.accepted}, {"advertised", c.advertised}};
}

nlohmann::json last_error_json(const bgp::SessionCounters& c, Time now) {
  if (!c.last_down_reason) return nullptr;
  auto describe = [](const std::optional<bgp::Notification>& n) {
    return n ? nlohmann::json(n->describe()) : nlohmann::json();
  };
  return {{"reason", bgp::down_reason_name(*c.last_down_reason)},
          {"text", c.last_error},
          {"seconds_ago", c.last_down_at ? nlohmann::json((now - *c.last_down_at).seconds_f()) : nlohmann::json()},
          {"notification_sent", describe(c.last_notification_sent)},
          {"notification_received", describe(c.last_notification_received)}};
}

}  // namespace

nlohmann::json to_json(const fib::NextHop& h) {
  nlohmann::json j{{"gateway", h.gateway.to_string()}, {"interface", h.interface}};
  if (h.weight > 1) j["weight"] = h.weight;
  return j;
}

nlohmann::json to_json(const bgp::MessageCounters& c) {
  return {{"open", c.open},
          {"update", c.update},
          {"notification", c.notification},
          {"keepalive", c.keepalive},
          {"route_refresh", c.route_refresh},
          {"other", c.other},
          {"total", c.total()}};
}

nlohmann::json to_json(const bgp::Negotiated& n) {
  nlohmann::json add_path = nlohmann::json::array();
  for (const bgp::AddPath& a : n.add_path) add_path.push_back(to_json(a));
  return {{"families", family_list(n.families)},
          {"four_octet_as", n.four_octet_as},
          {"route_refresh", n.route_refresh},
          {"enhanced_route_refresh", n.enhanced_route_refresh},
          {"extended_message", n.extended_message},
          {"add_path", add_path},
          {"graceful_restart", n.peer_graceful_restart ? to_json(*n.peer_graceful_restart) : nlohmann::json()}};
}

nlohmann::json summary_json(const bgp::NeighborView& n, Time now) {
  // Per family where both ends negotiated it (RFC 4760); none while down.
  nlohmann::json families = nlohmann::json::array();
  if (n.negotiated)
    for (const bgp::AfiSafi& f : n.negotiated->families) {
      if (!f.is_unicast()) continue;
      nlohmann::json counts = to_json(f.family() == Family::ipv4 ? n.ipv4_prefixes : n.ipv6_prefixes);
      counts["family"] = family_name(f.family());
      families.push_back(std::move(counts));
    }
  const bgp::SessionCounters& c = n.counters;
  return {{"name", n.name},
          {"address", n.address.to_string()},
          {"remote_as", n.remote_as},
          {"state", bgp::session_state_name(n.state)},
          {"established", n.state == bgp::SessionState::established},
          {"since_seconds", (now - n.state_since).seconds_f()},
          {"messages_received", c.received.total()},
          {"messages_sent", c.sent.total()},
          {"flaps", c.flaps},
          {"families", families}};
}

nlohmann::json to_json(const bgp::NeighborView& n, const bgp::NeighborSettings& settings, Time now) {
  const bgp::SessionConfig& config = settings.session;
  const bgp::SessionCounters& c = n.counters;
  bool established = n.state == bgp::SessionState::established;
  nlohmann::json j{
      {"name", n.name},
      {"address", n.address.to_string()},
      {"interface", n.interface},
      {"local_as", config.local_as},
      {"remote_as", n.remote_as},
      {"type", config.ibgp() ? "ibgp" : "ebgp"},
      {"state", bgp::session_state_name(n.state)},
      {"since_seconds", (now - n.state_since).seconds_f()},
      {"uptime_seconds", c.uptime(now) ? nlohmann::json(c.uptime(now)->seconds_f()) : nlohmann::json()},
      {"established_transitions", c.established_transitions},
      {"flaps", c.flaps},
      {"last_down", n.last_down},
      {"last_error", last_error_json(c, now)},
      {"remote_id", established ? nlohmann::json(IpAddress::v4(n.remote_id).to_string()) : nlohmann::json()},
      {"timers",
       {{"configured",
         {{"hold_time_seconds", config.hold_time.s()},
          {"keepalive_seconds", config.keepalive ? nlohmann::json(config.keepalive->s()) : nlohmann::json()},
          {"connect_retry_seconds", config.connect_retry.s()},
          {"idle_hold_max_seconds", config.idle_hold.maximum.s()}}},
        {"negotiated", n.negotiated ? nlohmann::json{{"hold_time_seconds", n.negotiated->hold_time.s()},
                                                     {"keepalive_seconds", n.negotiated->keepalive_time.s()}}
                                    : nlohmann::json()}}},
      {"capabilities",
       {{"advertised", advertised_capabilities(config)},
        {"negotiated", n.negotiated ? to_json(*n.negotiated) : nlohmann::json()}}},
      {"messages", {{"received", to_json(c.received)}, {"sent", to_json(c.sent)}}},
      {"received_prefixes", n.received_prefixes},
      {"advertised_prefixes", n.advertised_prefixes},
      {"prefixes", {{"ipv4", to_json(n.ipv4_prefixes)}, {"ipv6", to_json(n.ipv6_prefixes)}}},
      {"soft_reconfiguration_inbound", settings.soft_reconfiguration_inbound},
      {"max_prefix",
       {{"ipv4", settings.policy.max_prefix_ipv4 ? to_json(*settings.policy.max_prefix_ipv4) : nlohmann::json()},
        {"ipv6", settings.policy.max_prefix_ipv6 ? to_json(*settings.policy.max_prefix_ipv6) : nlohmann::json()}}},
      {"policy",
       {{"import", policy_name(settings.policy.import_policy)},
        {"export", policy_name(settings.policy.export_policy)}}},
      {"rfc8212_blocked", n.rfc8212_blocked},
  };
  // Kept for scripts written against the first version of this reply.
  if (established) {
    j["hold_time_seconds"] = n.hold_time.s();
    j["keepalive_seconds"] = n.keepalive_time.s();
  }
  return j;
}

nlohmann::json to_json(const bgp::PathAttributes& a) {
  nlohmann::json j = nlohmann::json::object();
  if (a.origin) j["origin"] = bgp::origin_name(*a.origin);
  if (a.as_path) j["as_path"] = a.as_path->to_string();
  if (a.next_hop) j["next_hop"] = a.next_hop->to_string();
  if (a.med) j["med"] = *a.med;
  if (a.local_pref) j["local_pref"] = *a.local_pref;
  if (!a.communities.empty()) {
    auto& list = j["communities"] = nlohmann::json::array();
    for (uint32_t c : a.communities) list.push_back(bgp::community_to_string(c));
  }
  if (!a.large_communities.empty()) {
    auto& list = j["large_communities"] = nlohmann::json::array();
    for (auto& c : a.large_communities) list.push_back(c.to_string());
  }
  return j;
}

nlohmann::json to_json(const bgp::RouteView& r) {
  nlohmann::json paths = nlohmann::json::array();
  for (auto& p : r.paths) {
    nlohmann::json pj = to_json(p.attributes);
    pj["from"] = p.from;
    pj["best"] = p.best;
    pj["multipath"] = p.multipath;
    paths.push_back(std::move(pj));
  }
  nlohmann::json hops = nlohmann::json::array();
  for (auto& h : r.next_hops) hops.push_back(to_json(h));
  return {{"prefix", r.prefix.to_string()}, {"paths", paths}, {"next_hops", hops}};
}

nlohmann::json to_json(const bgp::AdjRibRouteView& r, bool adj_rib_in) {
  nlohmann::json j = to_json(r.attributes);
  j["prefix"] = r.prefix.to_string();
  if (!adj_rib_in) return j;
  j["accepted"] = r.accepted;
  j["best"] = r.best;
  j["multipath"] = r.multipath;
  return j;
}

nlohmann::json to_json(const fib::FibRoute& r) {
  nlohmann::json hops = nlohmann::json::array();
  for (auto& h : r.next_hops) hops.push_back(to_json(h));
  return {{"prefix", r.prefix.to_string()}, {"next_hops", hops}};
}

}  // namespace halink::runtime
