#include "runtime/control_commands.h"

#include <algorithm>

#include "runtime/log.h"
#include "runtime/views_json.h"

namespace halink::runtime {

nlohmann::json error_reply(const std::string& message) { return {{"ok", false}, {"error", message}}; }

Result<RouteQuery> RouteQuery::parse(const std::string& text) {
  RouteQuery q;
  if (text.find('/') != std::string::npos) {
    auto p = Prefix::parse(text);
    if (!p) return Error{"bad prefix '" + text + "': " + p.message()};
    q.prefix = *p;
  } else {
    auto a = IpAddress::parse(text);
    if (!a) return Error{"bad prefix or address '" + text + "': " + a.message()};
    q.address = *a;
  }
  return q;
}

bool RouteQuery::contains(const Prefix& candidate) const {
  if (prefix) return candidate == *prefix;
  return address && candidate.family() == address->family() && candidate.contains(*address);
}

namespace {

// The routes of an Adj-RIB the query selects: the exact prefix, or the
// longest prefix covering the address.
std::vector<bgp::AdjRibRouteView> select(std::vector<bgp::AdjRibRouteView> routes, const RouteQuery& query) {
  const bgp::AdjRibRouteView* found = nullptr;
  for (const auto& r : routes)
    if (query.contains(r.prefix) && (!found || r.prefix.length() > found->prefix.length())) found = &r;
  if (!found) return {};
  return {*found};
}

Result<std::optional<Family>> family_of(const nlohmann::json& request) {
  if (!request.contains("family")) return std::optional<Family>{};
  std::string f = request["family"].is_string() ? request["family"].get<std::string>() : "";
  if (f == "ipv4") return std::optional<Family>{Family::ipv4};
  if (f == "ipv6") return std::optional<Family>{Family::ipv6};
  return Error{"unknown family '" + f + "' (ipv4, ipv6)"};
}

// Optional string fields of a request; a field of another type is the caller's error.
Result<std::string> string_field(const nlohmann::json& request, const char* key) {
  if (!request.contains(key)) return std::string();
  if (!request[key].is_string()) return Error{std::string("'") + key + "' must be a string"};
  return request[key].get<std::string>();
}

}  // namespace

nlohmann::json ControlCommands::handle(const nlohmann::json& request) {
  if (!request.is_object()) return error_reply("a request is a JSON object with a \"command\"");
  auto command = string_field(request, "command");
  if (!command) return error_reply(command.message());
  if (*command == "show") {
    auto what = string_field(request, "what");
    if (!what) return error_reply(what.message());
    return show(*what, request);
  }
  if (*command == "neighbor") return neighbor_command(request);
  if (*command == "reload") {
    if (auto s = context_.reload(); !s)
      return error_reply("reload refused, running configuration kept: " + s.message());
    return {{"ok", true}};
  }
  return error_reply("unknown command '" + *command + "' (show, neighbor, reload)");
}

nlohmann::json ControlCommands::show(const std::string& what, const nlohmann::json& request) {
  Time now = context_.loop.now();
  bgp::Speaker& speaker = context_.speaker;
  if (what == "summary") return show_summary();
  if (what == "neighbors") return show_neighbors(request);
  if (what == "routes") return show_routes(request);
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
              {"failed_writes", st.failed_writes}}},
            {"not_installed", context_.fib.not_installed()}};
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
            {"attribute_sets", speaker.attribute_sets()},
            {"fib_not_installed", context_.fib.not_installed().size()}};
  }
  if (what == "bfd") {
    nlohmann::json list = nlohmann::json::array();
    if (context_.bfd) {
      Time bfd_now = context_.bfd->now();
      for (const BfdSessionStatus& s : context_.bfd->snapshot()) list.push_back(to_json(s, bfd_now));
    }
    return {{"ok", true}, {"sessions", list}};
  }
  return error_reply("unknown show '" + what + "' (summary, status, neighbors, routes, fib, bfd)");
}

nlohmann::json ControlCommands::show_summary() {
  Time now = context_.loop.now();
  const config::RouterConfig& config = context_.config;
  nlohmann::json list = nlohmann::json::array();
  size_t established = 0;
  for (const bgp::NeighborView& n : context_.speaker.neighbors()) {
    established += n.state == bgp::SessionState::established;
    list.push_back(summary_json(n, now));
  }
  return {{"ok", true},
          {"router", config.name},
          {"router_id", config.router_id.to_string()},
          {"local_as", config.local_as},
          {"loc_rib_prefixes", context_.speaker.loc_rib_prefixes()},
          {"attribute_sets", context_.speaker.attribute_sets()},
          {"neighbors_configured", list.size()},
          {"neighbors_established", established},
          {"neighbors", list}};
}

nlohmann::json ControlCommands::bfd_session(const std::string& name) const {
  if (!context_.bfd) return nullptr;
  for (const BfdSessionStatus& s : context_.bfd->snapshot())
    if (s.name == name) return to_json(s, context_.bfd->now());
  return nullptr;
}

nlohmann::json ControlCommands::show_neighbors(const nlohmann::json& request) {
  auto name = string_field(request, "name");
  if (!name) return error_reply(name.message());
  if (!name->empty() && !context_.peer_ids.count(*name)) return error_reply("no neighbor named '" + *name + "'");
  Time now = context_.loop.now();
  nlohmann::json list = nlohmann::json::array();
  for (const bgp::NeighborView& n : context_.speaker.neighbors()) {
    if (!name->empty() && n.name != *name) continue;
    const bgp::NeighborSettings* settings = context_.speaker.settings(n.id);
    if (!settings) continue;
    nlohmann::json j = to_json(n, *settings, now);
    j["bfd"] = bfd_session(n.name);
    list.push_back(std::move(j));
  }
  return {{"ok", true}, {"neighbors", list}};
}

nlohmann::json ControlCommands::show_routes(const nlohmann::json& request) {
  bgp::Speaker& speaker = context_.speaker;
  auto family = family_of(request);
  if (!family) return error_reply(family.message());
  auto prefix_text = string_field(request, "prefix");
  auto received_from = string_field(request, "received_from");
  auto advertised_to = string_field(request, "advertised_to");
  for (auto* field : {&prefix_text, &received_from, &advertised_to})
    if (!*field) return error_reply(field->message());
  std::optional<RouteQuery> query;
  if (!prefix_text->empty()) {
    auto q = RouteQuery::parse(*prefix_text);
    if (!q) return error_reply(q.message());
    query = *q;
  }
  if (!received_from->empty() && !advertised_to->empty())
    return error_reply("received_from and advertised_to exclude each other");

  if (received_from->empty() && advertised_to->empty()) {
    nlohmann::json list = nlohmann::json::array();
    auto add = [&](const std::optional<bgp::RouteView>& r) {
      if (r && (!*family || r->prefix.family() == **family)) list.push_back(to_json(*r));
    };
    if (query && query->prefix) {
      add(speaker.route(*query->prefix));
    } else if (query) {
      // Longest match: the most specific prefix covering the address.
      for (int length = address_bits(query->address->family()); length >= 0; --length)
        if (auto r = speaker.route(Prefix::make_masked(*query->address, length))) {
          add(r);
          break;
        }
    } else {
      for (const bgp::RouteView& r : speaker.routes(*family)) list.push_back(to_json(r));
    }
    return {{"ok", true}, {"view", "loc-rib"}, {"routes", list}};
  }

  bool adj_rib_in = !received_from->empty();
  const std::string& name = adj_rib_in ? *received_from : *advertised_to;
  auto it = context_.peer_ids.find(name);
  if (it == context_.peer_ids.end()) return error_reply("no neighbor named '" + name + "'");
  std::optional<bgp::AdjRibView> view =
      adj_rib_in ? speaker.received_routes(it->second, *family) : speaker.advertised_routes(it->second, *family);
  if (!view) return error_reply("no neighbor named '" + name + "'");
  std::vector<bgp::AdjRibRouteView> routes = query ? select(std::move(view->routes), *query) : std::move(view->routes);
  nlohmann::json list = nlohmann::json::array();
  for (const bgp::AdjRibRouteView& r : routes) list.push_back(to_json(r, adj_rib_in));
  nlohmann::json reply{{"ok", true}, {"view", adj_rib_in ? "adj-rib-in" : "adj-rib-out"}, {"neighbor", name}};
  if (adj_rib_in) reply["pre_policy"] = view->pre_policy;
  reply["routes"] = std::move(list);
  return reply;
}

Result<std::string> ControlCommands::refresh(bgp::PeerId peer, bool in, bool out) {
  bgp::Speaker& speaker = context_.speaker;
  std::optional<bgp::NeighborView> n = speaker.neighbor(peer);
  const bgp::NeighborSettings* settings = speaker.settings(peer);
  if (!n || !settings) return Error{"neighbor is gone"};
  if (!n->negotiated)
    return Error{"neighbor " + n->name + " is " + bgp::session_state_name(n->state) + ", not Established"};
  Time now = context_.loop.now();
  std::string done;
  if (in) {
    if (settings->soft_reconfiguration_inbound) {
      done = "import policy re-applied to the routes kept as received";
    } else if (n->negotiated->route_refresh) {
      done = "ROUTE-REFRESH sent (RFC 2918)";
    } else {
      return Error{"neighbor " + n->name +
                   " did not negotiate route refresh (RFC 2918) and no pre-policy copy is kept: "
                   "'reset' gets its routes again"};
    }
    speaker.refresh_in(now, peer);
  }
  if (out) {
    speaker.refresh_out(now, peer);
    done += std::string(done.empty() ? "" : "; ") + "Adj-RIB-Out re-exported and sent again";
  }
  return done;
}

nlohmann::json ControlCommands::neighbor_command(const nlohmann::json& request) {
  auto name = string_field(request, "name");
  auto action = string_field(request, "action");
  auto message = string_field(request, "message");
  auto direction = string_field(request, "direction");
  for (auto* field : {&name, &action, &message, &direction})
    if (!*field) return error_reply(field->message());
  bool soft = request.contains("soft") && request["soft"].is_boolean() && request["soft"].get<bool>();
  auto it = context_.peer_ids.find(*name);
  if (it == context_.peer_ids.end()) return error_reply("no neighbor named '" + *name + "'");
  Time now = context_.loop.now();
  bgp::Speaker& speaker = context_.speaker;
  std::string done;
  if (*action == "shutdown") {
    speaker.shutdown_neighbor(now, it->second, *message);
    done = "session shut down";
  } else if (*action == "enable") {
    speaker.enable_neighbor(now, it->second);
    done = "session enabled";
  } else if (*action == "reset" && !soft) {
    speaker.reset_neighbor(now, it->second, *message);
    done = "session reset";
  } else if (*action == "reset" || *action == "refresh") {
    // A soft reset is a refresh both ways (as FRR's `clear bgp NAME soft`);
    // a bare refresh is inbound, as it always was.
    bool in = soft || direction->empty() || *direction == "in";
    bool out = soft || *direction == "out";
    if (!soft && !direction->empty() && *direction != "in" && *direction != "out")
      return error_reply("unknown refresh direction '" + *direction + "' (in, out)");
    auto result = refresh(it->second, in, out);
    if (!result) return error_reply(result.message());
    done = *result;
  } else {
    return error_reply("unknown neighbor action '" + *action + "' (shutdown, enable, reset, refresh)");
  }
  context_.pump();
  log_info("neighbor " + *name + ": " + *action + (soft ? " --soft" : "") +
           (direction->empty() ? "" : " " + *direction) + " by operator: " + done +
           (message->empty() ? "" : " (" + *message + ")"));
  return {{"ok", true}, {"neighbor", *name}, {"action", *action}, {"done", done}};
}

}  // namespace halink::runtime
