// One entry of a router's `neighbors:` list, merged over `neighbor_defaults:`.
#pragma once

#include <optional>
#include <string>

#include "config/reference_index.h"
#include "config/topology.h"
#include "config/yaml_reader.h"

namespace halink::config {

// Keys a neighbour may have, and the subset `neighbor_defaults:` may set.
const std::vector<std::string>& neighbor_keys();
const std::vector<std::string>& neighbor_default_keys();

struct NeighborScope {
  const RouterConfig& router;  // name, local_as and policies are already read
  const MapReader* defaults;   // `neighbor_defaults:`, or nullptr
  const ReferenceIndex& index;
};

std::optional<Neighbor> read_neighbor(ErrorSink& sink, const Located& where, const NeighborScope& scope);

// `bfd: true`, `bfd: false` or `bfd: {interval_ms, multiplier, multihop, auth}`;
// nullopt with no error means "off".
std::optional<BfdSettings> read_bfd(ErrorSink& sink, const Located& where, const ReferenceIndex& index, bool& ok);

}  // namespace halink::config
