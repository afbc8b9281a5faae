// What the lab tests share: the reason to skip (root, tools), a guard that
// tears the lab down whatever happens in the test body, and a scenario run
// with the probe settings a 2-core CI machine carries.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "config/scenario.h"
#include "lab/command.h"
#include "lab/lab.h"
#include "lab/scenario_run.h"
#include "../support/netns.h"

namespace halink::lab::testing_support {

// Why a lab test cannot run here ("" when it can).
inline std::string lab_skip_reason() {
  if (!halink::testing::running_as_root()) return "the lab needs root (network namespaces)";
  for (const char* tool : {"wireguard-go", "wg", "nft", "tc"})
    if (!run_command({"sh", "-c", std::string("command -v ") + tool})) return std::string(tool) + " is not installed";
  return "";
}

// Removes the lab whatever happens in the test body.
struct LabGuard {
  std::unique_ptr<Lab> lab;
  ~LabGuard() {
    if (lab) (void)lab->teardown();
  }
};

// Brings up `topology_file` with the halinkd under test and runs `scenario`
// with 32 flows × 100 packets/s each way.
inline Result<LabScenarioRun> up_and_run(LabGuard& guard, const std::string& topology_file,
                                         const config::Scenario& scenario) {
  LabOptions options;
  options.halinkd_path = HALINK_HALINKD;
  auto lab = Lab::up(topology_file, options);
  if (!lab) return lab.error();
  guard.lab = std::move(*lab);
  LabRunOptions run_options;
  run_options.probe_program = HALINK_CLI;
  run_options.flows = 32;
  run_options.rate = 100;
  return run_lab_scenario(*guard.lab, scenario, run_options);
}

}  // namespace halink::lab::testing_support
