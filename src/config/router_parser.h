// One router section (what halinkd runs with) and its neighbours.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "config/reference_index.h"
#include "config/topology.h"
#include "config/yaml_reader.h"

namespace halink::config {

std::optional<RouterConfig> read_router(ErrorSink& sink, const Located& where, const std::string& name,
                                        const ReferenceIndex& index);

// `static_routes:` of a router or device.
std::vector<StaticRoute> read_static_routes(ErrorSink& sink, const Located& where, const ReferenceIndex& index);

}  // namespace halink::config
