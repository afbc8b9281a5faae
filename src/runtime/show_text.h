// Text tables for `halink show ...`, from the JSON the daemon answers with,
// laid out the way BIRD's and FRR's summaries are so they read familiar.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace halink::runtime {

// `halink show summary`: the familiar `show bgp summary`: a header with the
// router's identity and counts, then one line per neighbour and family.
std::string render_summary(const nlohmann::json& reply);
// `halink show neighbors`: a table; with one neighbour named, its detail.
std::string render_neighbors(const nlohmann::json& reply);
// One neighbour's detail block: capabilities, timers, last error, counters.
std::string render_neighbor_detail(const nlohmann::json& neighbor);
// `halink show routes`: the Loc-RIB, or one neighbour's Adj-RIB-In/-Out.
std::string render_routes(const nlohmann::json& reply);
std::string render_fib(const nlohmann::json& reply);
std::string render_status(const nlohmann::json& reply);
// `halink show bfd`: one line per session, then each session's drop reasons.
std::string render_bfd(const nlohmann::json& reply);

// Columns padded to the widest cell; the first row is the header.
std::string render_table(const std::vector<std::vector<std::string>>& rows);
// "3d04h", "1h02m", "4m05s", "12.3s"
std::string format_age(double seconds);

}  // namespace halink::runtime
