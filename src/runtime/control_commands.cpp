#include "runtime/control_commands.h"

#include "runtime/log.h"
#include "runtime/views_json.h"

namespace halink::runtime {

nlohmann::json error_reply(const std::string& message) { return {{"ok", false}, {"error", message}}; }

nlohmann::json ControlCommands::handle(const nlohmann::json& request) {
  std::string command = request.value("command", "");
  if (command == "show") return show(request.value("what", ""), request);
  if (command == "neighbor") return neighbor_command(request);
  if (command == "reload") {
    if (auto s = context_.reload(); !s)
      return error_reply("reload refused, running configuration kept: " + s.message());
    return {{"ok", true}};
  }
  return error_reply("unknown command '" + command + "' (show, neighbor, reload)");
}

nlohmann::json ControlCommands::show(const std::string& what, const nlohmann::json& request) {
  Time now = context_.loop.now();
  bgp::Speaker& speaker = context_.speaker;
  if (what == "neighbors") {
    nlohmann::json list = nlohmann::json::array();
    for (auto& n : speaker.neighbors()) list.push_back(to_json(n, now));
    return {{"ok", true}, {"neighbors", list}};
  }
  if (what == "routes") {
    nlohmann::json list = nlohmann::json::array();
    if (request.contains("prefix")) {
      auto p = Prefix::parse(request.value("prefix", ""));
      if (!p) return error_reply(p.message());
      if (auto r = speaker.route(*p)) list.push_back(to_json(*r));
    } else {
      for (auto& r : speaker.routes()) list.push_back(to_json(r));
    }
    return {{"ok", true}, {"routes", list}};
  }
  if (what == "fib") {
    nlohmann::json list = nlohmann::json::array();
    for (auto& r : context_.fib.routes()) list.push_back(to_json(r));
    fib::FibStats st = context_.fib.stats();
    return {{"ok", true},
            {"routes", list},
            {"stats",
             {{"routes", st.routes},
              {"groups", st.groups},
              {"next_hops", st.next_hops},
              {"route_writes", st.route_writes},
              {"group_writes", st.group_writes},
              {"failed_writes", st.failed_writes}}}};
  }
  if (what == "status") {
    const config::RouterConfig& config = context_.config;
    return {{"ok", true},
            {"router", config.name},
            {"local_as", config.local_as},
            {"router_id", config.router_id.to_string()},
            {"uptime_seconds", (now - context_.started_at).seconds_f()},
            {"neighbors", context_.peer_ids.size()},
            {"loc_rib_prefixes", speaker.loc_rib_prefixes()},
            {"attribute_sets", speaker.attribute_sets()}};
  }
  if (what == "bfd") {
    nlohmann::json list = nlohmann::json::array();
    if (context_.bfd) {
      Time bfd_now = context_.bfd->now();
      for (const BfdSessionStatus& s : context_.bfd->snapshot()) list.push_back(to_json(s, bfd_now));
    }
    return {{"ok", true}, {"sessions", list}};
  }
  return error_reply("unknown show '" + what + "' (status, neighbors, routes, fib, bfd)");
}

nlohmann::json ControlCommands::neighbor_command(const nlohmann::json& request) {
  std::string name = request.value("name", "");
  std::string action = request.value("action", "");
  std::string message = request.value("message", "");
  auto it = context_.peer_ids.find(name);
  if (it == context_.peer_ids.end()) return error_reply("no neighbor named '" + name + "'");
  Time now = context_.loop.now();
  bgp::Speaker& speaker = context_.speaker;
  if (action == "shutdown") {
    speaker.shutdown_neighbor(now, it->second, message);
  } else if (action == "enable") {
    speaker.enable_neighbor(now, it->second);
  } else if (action == "reset") {
    speaker.reset_neighbor(now, it->second, message);
  } else if (action == "refresh") {
    speaker.request_refresh(now, it->second);
  } else {
    return error_reply("unknown neighbor action '" + action + "' (shutdown, enable, reset, refresh)");
  }
  context_.pump();
  log_info("neighbor " + name + ": " + action + " by operator" + (message.empty() ? "" : ": " + message));
  return {{"ok", true}};
}

}  // namespace halink::runtime
