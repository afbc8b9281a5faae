// A scenario file (config/scenario.h) run in the simulator: every step in
// virtual time against the real protocol code, with a readable timeline
// (`halink sim FILE --scenario S`, `halink demo`) and a design::Timeline for
// the SVG and the per-step summary, the same data the lab produces from its
// measurements.
#pragma once

#include <string>
#include <vector>

#include "config/scenario.h"
#include "config/topology.h"
#include "core/result.h"
#include "design/timeline.h"

namespace halink::sim {

struct ScenarioOptions {
  uint64_t seed = 1;
  int flows_per_direction = 32;
  // `wait: converged` also wants every forwarding table unchanged this long.
  Duration stable_for = Duration::milliseconds(500);
  // Print BFD state changes too, not only BGP sessions going up and down.
  bool bfd_events = false;
};

struct ScenarioRun {
  design::Timeline timeline;
  // The readable timeline, one line each: virtual time, event, sessions,
  // next-hop sets, traffic share per tunnel, outage per direction.
  std::vector<std::string> lines;
};

// Runs every step in order; an error when a `wait: converged` is not met
// within its limit (the run so far is in the message).
Result<ScenarioRun> run_scenario(const config::Topology& topology, const config::Scenario& scenario,
                                 const ScenarioOptions& options = {});

// The readable timeline followed by the per-step summary table.
std::string render_scenario_run(const ScenarioRun& run);

}  // namespace halink::sim
