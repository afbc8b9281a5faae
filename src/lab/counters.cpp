#include "lab/counters.h"

#include <nlohmann/json.hpp>

namespace halink::lab {

Result<std::map<std::string, TunnelCounters>> read_tunnel_counters(const Lab& lab) {
  // One `ip -s -j link show` per router namespace.
  std::map<std::string, nlohmann::json> links_by_namespace;
  std::map<std::string, TunnelCounters> counters;
  for (const TunnelPlan& tunnel : lab.plan().tunnels) {
    TunnelCounters& c = counters[tunnel.name];
    for (size_t e = 0; e < 2; ++e) {
      const WireGuardEnd& end = tunnel.ends[e];
      auto found = links_by_namespace.find(end.namespace_name);
      if (found == links_by_namespace.end()) {
        auto text = run_command({"ip", "-n", end.namespace_name, "-s", "-j", "link", "show"});
        if (!text) return Error{text.message()};
        nlohmann::json parsed = nlohmann::json::parse(*text, nullptr, false);
        if (parsed.is_discarded()) return Error{"ip -n " + end.namespace_name + " -s -j link show: not JSON"};
        found = links_by_namespace.emplace(end.namespace_name, std::move(parsed)).first;
      }
      for (const nlohmann::json& link : found->second) {
        if (link.value("ifname", "") != end.interface) continue;
        const nlohmann::json& tx = link["stats64"]["tx"];
        c.tx_packets[e] = tx.value("packets", uint64_t{0});
        c.tx_bytes[e] = tx.value("bytes", uint64_t{0});
      }
    }
  }
  return counters;
}

std::vector<TunnelShare> tunnel_shares(const Lab& lab, const std::map<std::string, TunnelCounters>& before,
                                       const std::map<std::string, TunnelCounters>& after) {
  std::vector<TunnelShare> shares;
  std::map<std::pair<std::string, std::string>, uint64_t> totals;
  for (const TunnelPlan& tunnel : lab.plan().tunnels) {
    auto b = before.find(tunnel.name);
    auto a = after.find(tunnel.name);
    if (a == after.end()) continue;
    for (size_t e = 0; e < 2; ++e) {
      const config::RouterConfig* from = lab.topology().find_router(tunnel.ends[e].router);
      const config::RouterConfig* to = lab.topology().find_router(tunnel.ends[1 - e].router);
      TunnelShare share;
      share.tunnel = tunnel.name;
      share.from_site = from ? from->site : "";
      share.to_site = to ? to->site : "";
      uint64_t start = b == before.end() ? 0 : b->second.tx_packets[e];
      // A counter that went backwards belongs to a re-created interface.
      share.packets = a->second.tx_packets[e] >= start ? a->second.tx_packets[e] - start : a->second.tx_packets[e];
      totals[{share.from_site, share.to_site}] += share.packets;
      shares.push_back(share);
    }
  }
  for (TunnelShare& s : shares) {
    uint64_t total = totals[{s.from_site, s.to_site}];
    s.share = total ? static_cast<double>(s.packets) / static_cast<double>(total) : 0.0;
  }
  return shares;
}

}  // namespace halink::lab
