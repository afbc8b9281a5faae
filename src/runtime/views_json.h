// The speaker's and FIB's views as JSON for the control socket; the CLI
// renders them (show_text.h) and `--json` prints them as they are.
#pragma once

#include <nlohmann/json.hpp>

#include "bgp/speaker/speaker.h"
#include "fib/route.h"

namespace halink::runtime {

nlohmann::json to_json(const bgp::NeighborView& n, Time now);
nlohmann::json to_json(const bgp::RouteView& r);
nlohmann::json to_json(const fib::FibRoute& r);
nlohmann::json to_json(const fib::NextHop& h);
nlohmann::json to_json(const bgp::PathAttributes& a);

}  // namespace halink::runtime
