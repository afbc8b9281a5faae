// Loading topology files and router sections.
//
// Every error names file:line:col and the key path:
//   topo.yaml:14:7: routers.r1.neighbors[2].hold_time: must be 0 or between 3 and 65535 seconds ...
// Several errors are collected in one pass (one per line of the message);
// nothing is returned unless the whole input is valid.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "config/diagnostic.h"
#include "config/topology.h"
#include "core/result.h"

namespace halink::config {

// A whole topology file.
Result<Topology> load_topology(const std::string& path);
// `source_name` is what messages call the text; relative paths in it are
// resolved against `base_dir` (empty: left as written).
Result<Topology> load_topology_string(std::string_view text, const std::string& source_name = "<string>",
                                      const std::string& base_dir = "");

// One router's configuration, for halinkd: either from a whole topology
// (which is validated as a whole) or from a file that holds only the router
// section (its top level has no `routers:` key). With only a section, an
// empty `node_name` names the router after the file ("r1.yaml" → "r1").
Result<RouterConfig> load_router(const std::string& path, const std::string& node_name);
Result<RouterConfig> load_router_string(std::string_view text, const std::string& node_name,
                                        const std::string& source_name = "<string>",
                                        const std::string& base_dir = "");

// The same, keeping the diagnostics apart (for `halink check --json`).
struct TopologyLoad {
  std::optional<Topology> topology;
  std::vector<Diagnostic> errors;
};
TopologyLoad load_topology_detailed(std::string_view text, const std::string& source_name,
                                    const std::string& base_dir = "");

}  // namespace halink::config
