// The speaker's and FIB's views as JSON for the control socket; the CLI
// renders them (show_text.h) and `--json` prints them as they are. Every
// field is documented in docs/CONTROL.md; names are stable.
#pragma once

#include <nlohmann/json.hpp>

#include "bgp/speaker/speaker.h"
#include "fib/route.h"

namespace halink::runtime {

// `show neighbors`: everything about one neighbour except its BFD session,
// which the caller adds (it lives on another thread).
nlohmann::json to_json(const bgp::NeighborView& n, const bgp::NeighborSettings& settings, Time now);
// `show summary`: one neighbour's line(s).
nlohmann::json summary_json(const bgp::NeighborView& n, Time now);
nlohmann::json to_json(const bgp::Negotiated& negotiated);
nlohmann::json to_json(const bgp::MessageCounters& counters);
nlohmann::json to_json(const bgp::RouteView& r);
// One route of an Adj-RIB-In (with its accepted/best/multipath marks) or Adj-RIB-Out.
nlohmann::json to_json(const bgp::AdjRibRouteView& r, bool adj_rib_in);
nlohmann::json to_json(const fib::FibRoute& r);
nlohmann::json to_json(const fib::NextHop& h);
nlohmann::json to_json(const bgp::PathAttributes& a);

}  // namespace halink::runtime
