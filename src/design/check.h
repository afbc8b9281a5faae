// `halink check` without the CLI: every static analysis of a topology in one
// Report. The simulator adds Report::simulated_failover afterwards.
#pragma once

#include "config/topology.h"
#include "design/report.h"

namespace halink::design {

struct CheckOptions {
  // 1: single failures only; 2: also report how many pairs of failures cut
  // each pair of sites (`halink check --k 2`).
  int max_failures = 2;
};

Report check_design(const config::Topology& topology, const CheckOptions& options = {});

}  // namespace halink::design
