// `halink check` without the CLI: every static analysis of a topology in one
// Report. The simulator adds Report::simulated_failover afterwards.
#pragma once

#include "config/topology.h"
#include "design/report.h"

namespace halink::design {

struct CheckOptions {
  // 1: single failures only; 2: also every pair of failures that cuts a
  // pair of places (`halink check --k 2`), in Report::double_failures.
  int max_failures = 1;
};

Report check_design(const config::Topology& topology, const CheckOptions& options = {});

}  // namespace halink::design
