#include "design/check.h"

#include <algorithm>

#include "design/graph.h"
#include "design/sessions.h"
#include "design/site_pairs.h"
#include "design/spof.h"
#include "design/timers.h"
#include "design/traffic.h"

namespace halink::design {

Report check_design(const config::Topology& topology, const CheckOptions& options) {
  Report report;
  report.topology = topology.name;
  report.source_file = topology.source_file;
  const SessionMap sessions = match_sessions(topology);
  const TopologyGraph graph = TopologyGraph::build(topology, sessions);
  const FailureAnalysis failures = analyse_failures(topology, graph, options.max_failures);
  report_failures(topology, graph, failures, report);
  analyse_site_pairs(topology, sessions, report);
  analyse_timers(topology, sessions, graph, report);
  analyse_traffic(topology, sessions, report);
  // One note per managed gateway whose side is implied (sessions.h).
  std::vector<std::pair<std::string, std::vector<std::string>>> implied;
  for (const Session& s : sessions.sessions) {
    if (!s.b.implied()) continue;
    auto it = std::find_if(implied.begin(), implied.end(), [&](const auto& e) { return e.first == s.b.router_name(); });
    if (it == implied.end()) it = implied.insert(implied.end(), {s.b.router_name(), {}});
    it->second.push_back(s.tunnel.empty() ? s.a.router_name() : s.tunnel);
  }
  for (const auto& [gateway, over] : implied) {
    std::string list;
    for (const std::string& t : over) list += (list.empty() ? "" : ", ") + t;
    report.add({Severity::info, FindingKind::provider_limit, {gateway},
                "gateway " + gateway + " lists no neighbours: its side of the sessions over " + list +
                    " is taken to be what the provider builds from the connection (its profile's timers, no BFD)",
                ""});
  }
  return report;
}

}  // namespace halink::design
