#include "design/check.h"

#include "design/graph.h"
#include "design/sessions.h"
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
  analyse_timers(topology, sessions, graph, report);
  analyse_traffic(topology, sessions, report);
  for (const Session& s : sessions.sessions) {
    if (!s.b.implied()) continue;
    report.add({Severity::info, FindingKind::provider_limit, {s.b.router_name()},
                "gateway " + s.b.router_name() + " lists no neighbours; its side of " + s.describe() +
                    " is taken to be what the provider configures for the connection",
                ""});
  }
  return report;
}

}  // namespace halink::design
