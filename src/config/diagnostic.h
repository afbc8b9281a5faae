// One configuration error, located precisely enough to jump to it.
#pragma once

#include <string>
#include <vector>

namespace halink::config {

struct Diagnostic {
  std::string file;
  int line = 0;    // 1-based; 0 when the position is unknown
  int column = 0;  // 1-based
  std::string path;  // key path, e.g. "routers.r1.neighbors[2].hold_time"; may be empty
  std::string message;

  // "topo.yaml:14:7: routers.r1.neighbors[2].hold_time: must be 0 or between 3 and 65535 seconds"
  std::string to_string() const;
};

// One diagnostic per line, in the order found.
std::string format_diagnostics(const std::vector<Diagnostic>& diagnostics);

}  // namespace halink::config
