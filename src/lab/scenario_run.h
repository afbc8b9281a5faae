// A scenario file (config/scenario.h) run on a lab: `halink lab run`.
//
// After the lab has converged, probe receivers and senders (`halink probe`)
// run in every host namespace, both ways between every pair of hosts in
// different sites, for the whole scenario. The steps are carried out in
// order (failures through FailureInjector), the tunnel interfaces' counters
// are sampled throughout, and at the end the probes' per-flow outages
// (CLOCK_MONOTONIC, like the step times recorded here) are laid against the
// steps. The result is the same design::Timeline the simulator produces
// (so one SVG renderer and one summary table serve both) and a JSON report.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "config/scenario.h"
#include "core/result.h"
#include "core/time.h"
#include "design/timeline.h"
#include "lab/lab.h"

namespace halink::lab {

struct LabRunOptions {
  std::string probe_program;  // the halink binary (`halink probe ...`); empty: the running program
  uint32_t flows = 64;        // per direction and pair of hosts
  // Packets per second per flow. 100 × 64 flows is 6,400 packets/s each
  // way, which a 2-core machine carries through wireguard-go without the
  // probe itself starving BFD; outages resolve to 10 ms per flow.
  uint32_t rate = 100;
  uint16_t port = 47000;
  Duration sample_interval = Duration::milliseconds(250);  // tunnel counters
  Duration cold_start_limit = Duration::seconds(60);
  Duration stable_for = Duration::milliseconds(500);  // `wait: converged`
};

struct LabScenarioRun {
  design::Timeline timeline;
  nlohmann::json results;  // see docs/LAB.md for the fields
};

// Runs every step; an Error when a step fails (a failure cannot be
// injected, `wait: converged` is not met in its limit) or on Ctrl-C. Every
// failure still in force is repaired and the probes stopped before it
// returns; the lab itself is left to the caller.
Result<LabScenarioRun> run_lab_scenario(Lab& lab, const config::Scenario& scenario, const LabRunOptions& options);

}  // namespace halink::lab
