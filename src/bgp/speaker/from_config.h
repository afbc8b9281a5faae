// The router section of a topology file → what the Speaker is built from.
// halinkd and the simulator both use this, so a design behaves the same in
// `halink sim` as on the router.
#pragma once

#include <vector>

#include "bgp/speaker/speaker_config.h"
#include "config/topology.h"

namespace halink::bgp {

SpeakerConfig speaker_config_from(const config::RouterConfig& router);
NeighborSettings neighbor_settings_from(const config::RouterConfig& router, const config::Neighbor& neighbor);

}  // namespace halink::bgp
