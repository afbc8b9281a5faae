// Simulated failover as people read it: a table per design for `halink sim`
// and `halink demo`, and entries in `halink check`'s report.
#pragma once

#include <string>
#include <vector>

#include "design/report.h"
#include "sim/world/failure.h"

namespace halink::sim {

struct DesignRun {
  std::string design;  // topology name
  Duration converged_after;
  std::vector<std::pair<std::string, double>> tunnel_share;  // tunnel → share of its site's outgoing traffic
  std::vector<FailureRun> failures;
};

// Converges the design, measures steady traffic shares, then runs each failure.
Result<DesignRun> run_design(const config::Topology& topology, const std::vector<Failure>& failures,
                             const RunOptions& options);

std::string render_design_run(const DesignRun& run);
void add_to_report(const DesignRun& run, design::Report& report);

}  // namespace halink::sim
