// A Timeline (timeline.h) drawn as one self-contained SVG: per-tunnel
// traffic over time (one row per tunnel and direction), per-flow outage bars
// (red where a flow was not delivered), and the scenario's steps as dashed
// lines across both, protocol events as ticks with their text as tooltip.
// Sans-IO: returns the document; the caller writes it.
#pragma once

#include <string>

#include "design/timeline.h"

namespace halink::design {

std::string render_timeline_svg(const Timeline& timeline);

}  // namespace halink::design
