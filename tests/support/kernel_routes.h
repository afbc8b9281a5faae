// Routes read back from a namespace's kernel table (not from the daemon
// that installed them), for tests that check what halinkd, BIRD or FRR
// actually put there: prefix → sorted gateways, resolved through nexthop
// objects and groups (`ip -j nexthop`) or the route's own next hops.
// Header only, like process.h.
#pragma once

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "process.h"

namespace halink::testing {

enum class IpFamily { v4, v6 };

// Kernel routing protocol numbers (rtnetlink RTPROT_*, /etc/iproute2/rt_protos).
inline constexpr int kernel_protocol_halinkd = 201;
inline constexpr int kernel_protocol_bird = 12;
inline constexpr int kernel_protocol_frr_bgp = 186;

namespace kernel_routes_detail {
inline nlohmann::json parse_json(const std::string& text) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  return j.is_discarded() ? nlohmann::json() : j;
}
inline std::string text_of(const nlohmann::json& j, const char* key) {
  if (!j.is_object() || !j.contains(key) || !j[key].is_string()) return "";
  return j[key].get<std::string>();
}
inline int64_t id_of(const nlohmann::json& j, const char* key) {
  if (!j.is_object() || !j.contains(key) || !j[key].is_number_integer()) return -1;
  return j[key].get<int64_t>();
}
}  // namespace kernel_routes_detail

// Routes of `protocol` in namespace `ns`.
inline std::map<std::string, std::vector<std::string>> kernel_routes(const std::string& ns,
                                                                     IpFamily family = IpFamily::v4,
                                                                     int protocol = kernel_protocol_halinkd) {
  using namespace kernel_routes_detail;
  std::map<std::string, std::vector<std::string>> routes;
  std::string ip = family == IpFamily::v6 ? "ip -6 -n " : "ip -4 -n ";
  auto route_list = parse_json(run_command(ip + ns + " -j route show proto " + std::to_string(protocol)).output);
  auto nexthop_list = parse_json(run_command("ip -n " + ns + " -j nexthop show").output);
  std::map<int64_t, nlohmann::json> nexthops;
  if (nexthop_list.is_array())
    for (auto& n : nexthop_list) nexthops[id_of(n, "id")] = n;
  if (!route_list.is_array()) return routes;

  for (auto& r : route_list) {
    auto& gateways = routes[text_of(r, "dst")];
    if (r.contains("nhid")) {
      const nlohmann::json& object = nexthops[id_of(r, "nhid")];
      if (object.is_object() && object.contains("group")) {
        for (auto& member : object["group"]) gateways.push_back(text_of(nexthops[id_of(member, "id")], "gateway"));
      } else {
        gateways.push_back(text_of(object, "gateway"));
      }
    } else if (r.contains("nexthops")) {  // RTA_MULTIPATH, where nexthop objects are missing
      for (auto& h : r["nexthops"]) gateways.push_back(text_of(h, "gateway"));
    } else {
      gateways.push_back(text_of(r, "gateway"));
    }
    std::sort(gateways.begin(), gateways.end());
  }
  return routes;
}

// Nexthop objects of `protocol` left in `ns`.
inline int kernel_nexthop_count(const std::string& ns, int protocol = kernel_protocol_halinkd) {
  using namespace kernel_routes_detail;
  auto list = parse_json(run_command("ip -n " + ns + " -j nexthop show protocol " + std::to_string(protocol)).output);
  return list.is_array() ? static_cast<int>(list.size()) : 0;
}

}  // namespace halink::testing
