#include "runtime/views_json.h"

namespace halink::runtime {

nlohmann::json to_json(const fib::NextHop& h) {
  nlohmann::json j{{"gateway", h.gateway.to_string()}, {"interface", h.interface}};
  if (h.weight > 1) j["weight"] = h.weight;
  return j;
}

nlohmann::json to_json(const bgp::NeighborView& n, Time now) {
  nlohmann::json j{
      {"name", n.name},
      {"address", n.address.to_string()},
      {"interface", n.interface},
      {"remote_as", n.remote_as},
      {"state", bgp::session_state_name(n.state)},
      {"since_seconds", (now - n.state_since).seconds_f()},
      {"last_down", n.last_down},
      {"received_prefixes", n.received_prefixes},
      {"advertised_prefixes", n.advertised_prefixes},
      {"rfc8212_blocked", n.rfc8212_blocked},
  };
  if (n.state == bgp::SessionState::established) {
    j["remote_id"] = IpAddress::v4(n.remote_id).to_string();
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

nlohmann::json to_json(const fib::FibRoute& r) {
  nlohmann::json hops = nlohmann::json::array();
  for (auto& h : r.next_hops) hops.push_back(to_json(h));
  return {{"prefix", r.prefix.to_string()}, {"next_hops", hops}};
}

}  // namespace halink::runtime
