#include "runtime/show_text.h"

#include <algorithm>
#include <cstdio>

namespace halink::runtime {

std::string render_table(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> width;
  for (auto& row : rows)
    for (size_t i = 0; i < row.size(); ++i) {
      if (width.size() <= i) width.push_back(0);
      width[i] = std::max(width[i], row[i].size());
    }
  std::string out;
  for (auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(width[i] - row[i].size() + 2, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  return out;
}

std::string format_age(double seconds) {
  char buf[32];
  long s = long(seconds);
  if (seconds < 60) std::snprintf(buf, sizeof buf, "%.1fs", seconds);
  else if (s < 3600) std::snprintf(buf, sizeof buf, "%ldm%02lds", s / 60, s % 60);
  else if (s < 86400) std::snprintf(buf, sizeof buf, "%ldh%02ldm", s / 3600, s % 3600 / 60);
  else std::snprintf(buf, sizeof buf, "%ldd%02ldh", s / 86400, s % 86400 / 3600);
  return buf;
}

namespace {
std::string str(const nlohmann::json& j, const char* key) {
  if (!j.contains(key)) return "";
  const auto& v = j[key];
  return v.is_string() ? v.get<std::string>() : v.dump();
}

std::string next_hops_text(const nlohmann::json& hops) {
  std::string out;
  for (auto& h : hops) {
    if (!out.empty()) out += ", ";
    out += h.value("gateway", "") + (h.value("interface", "").empty() ? "" : " dev " + h.value("interface", ""));
  }
  return out.empty() ? "-" : out;
}
}  // namespace

std::string render_summary(const nlohmann::json& reply) {
  std::string out = "BGP router identifier " + reply.value("router_id", "") + ", local AS number " +
                    str(reply, "local_as") + "\n" + str(reply, "loc_rib_prefixes") + " prefixes in the Loc-RIB, " +
                    str(reply, "attribute_sets") + " distinct attribute sets\n" + str(reply, "neighbors_configured") +
                    " neighbours configured, " + str(reply, "neighbors_established") + " established\n\n";
  std::vector<std::vector<std::string>> rows{
      {"Neighbor", "Address", "AS", "MsgRcvd", "MsgSent", "Up/Down", "State", "Family", "Rcvd", "Accepted", "Sent"}};
  bool received_unknown = false;
  for (auto& n : reply["neighbors"]) {
    std::vector<std::string> first{n.value("name", ""),         n.value("address", ""),
                                   str(n, "remote_as"),         str(n, "messages_received"),
                                   str(n, "messages_sent"),     format_age(n.value("since_seconds", 0.0)),
                                   n.value("state", "")};
    if (n["families"].empty()) {
      first.insert(first.end(), {"-", "-", "-", "-"});
      rows.push_back(first);
      continue;
    }
    bool is_first = true;
    for (auto& f : n["families"]) {
      std::vector<std::string> row = is_first ? first : std::vector<std::string>(first.size());
      std::string received = f["received"].is_null() ? "-" : str(f, "received");
      received_unknown |= f["received"].is_null();
      row.insert(row.end(), {f.value("family", ""), received, str(f, "accepted"), str(f, "advertised")});
      rows.push_back(std::move(row));
      is_first = false;
    }
  }
  out += render_table(rows);
  if (received_unknown)
    out += "Rcvd - : the routes as received are kept only with soft reconfiguration inbound\n";
  return out;
}

std::string render_neighbors(const nlohmann::json& reply) {
  if (reply["neighbors"].size() == 1) return render_neighbor_detail(reply["neighbors"][0]);
  std::vector<std::vector<std::string>> rows{{"Neighbor", "Address", "Interface", "AS", "State", "Since", "Hold",
                                              "Received", "Sent", "Info"}};
  for (auto& n : reply["neighbors"]) {
    std::string info = n.value("state", "") == "Established" ? "" : n.value("last_down", "");
    if (n.value("rfc8212_blocked", false)) info = "RFC 8212: no import/export policy" + (info.empty() ? "" : "; " + info);
    rows.push_back({n.value("name", ""), n.value("address", ""), n.value("interface", ""), str(n, "remote_as"),
                    n.value("state", ""), format_age(n.value("since_seconds", 0.0)),
                    n.contains("hold_time_seconds") ? str(n, "hold_time_seconds") + "s" : "-",
                    str(n, "received_prefixes"), str(n, "advertised_prefixes"), info});
  }
  return render_table(rows);
}

namespace {
std::string milliseconds_text(const nlohmann::json& j, const char* key) {
  if (!j.contains(key) || !j[key].is_number()) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%gms", j[key].get<double>());
  return buf;
}
}  // namespace

namespace {

std::string seconds_text(const nlohmann::json& j, const char* key) {
  return j.contains(key) && j[key].is_number() ? str(j, key) + "s" : "-";
}

// "ipv4, ipv6; 4-octet AS; route refresh; ..." for one capability set.
std::string capabilities_text(const nlohmann::json& c) {
  std::string families;
  for (auto& f : c["families"]) families += (families.empty() ? "" : ", ") + f.get<std::string>();
  std::string out = "families " + (families.empty() ? std::string("none") : families);
  auto flag = [&](const char* key, const char* text) {
    if (c.value(key, false)) out += std::string("; ") + text;
  };
  flag("four_octet_as", "4-octet AS");
  flag("route_refresh", "route refresh");
  flag("enhanced_route_refresh", "enhanced route refresh");
  flag("extended_message", "extended message");
  for (auto& a : c["add_path"]) {
    std::string mode = a.value("send", false) && a.value("receive", false) ? "send/receive"
                       : a.value("send", false)                             ? "send"
                                                                            : "receive";
    out += "; add-path " + a.value("family", "") + " " + mode;
  }
  if (c.contains("graceful_restart") && c["graceful_restart"].is_object())
    out += "; graceful restart " + str(c["graceful_restart"], "restart_time_seconds") + "s";
  return out;
}

std::string counts_text(const nlohmann::json& counts) {
  return (counts["received"].is_null() ? std::string("-") : str(counts, "received")) + " received, " +
         str(counts, "accepted") + " accepted, " + str(counts, "advertised") + " advertised";
}

std::string max_prefix_text(const nlohmann::json& m) {
  if (!m.is_object()) return "none";
  std::string out = str(m, "limit") + " (warn at " + str(m, "warning_threshold_percent") + "%";
  if (m.value("warning_only", false))
    out += ", warning only";
  else if (m.value("restart_after_seconds", 0) > 0)
    out += ", restart after " + str(m, "restart_after_seconds") + "s";
  else
    out += ", stays down until reset";
  return out + ")";
}

std::string text_or(const nlohmann::json& j, const char* key, const char* otherwise) {
  return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : otherwise;
}

}  // namespace

std::string render_neighbor_detail(const nlohmann::json& n) {
  std::string out = "BGP neighbor " + n.value("name", "") + ", address " + n.value("address", "") +
                    (n.value("interface", "").empty() ? "" : " dev " + n.value("interface", "")) + ", remote AS " +
                    str(n, "remote_as") + ", local AS " + str(n, "local_as") + ", " + n.value("type", "") + "\n";
  out += "  State " + n.value("state", "") + " for " + format_age(n.value("since_seconds", 0.0));
  if (n["uptime_seconds"].is_number()) out += ", up " + format_age(n["uptime_seconds"].get<double>());
  out += "; established " + str(n, "established_transitions") + " times, " + str(n, "flaps") + " flaps\n";
  if (n["remote_id"].is_string()) out += "  Remote router id " + n["remote_id"].get<std::string>() + "\n";
  const nlohmann::json& configured = n["timers"]["configured"];
  out += "  Timers configured: hold " + seconds_text(configured, "hold_time_seconds") + ", keepalive " +
         (configured["keepalive_seconds"].is_null() ? std::string("hold/3")
                                                    : seconds_text(configured, "keepalive_seconds")) +
         ", connect retry " + seconds_text(configured, "connect_retry_seconds") + ", idle hold max " +
         seconds_text(configured, "idle_hold_max_seconds") + "\n";
  const nlohmann::json& negotiated = n["timers"]["negotiated"];
  if (negotiated.is_object())
    out += "  Timers negotiated: hold " + seconds_text(negotiated, "hold_time_seconds") + ", keepalive " +
           seconds_text(negotiated, "keepalive_seconds") + "\n";
  out += "  Capabilities advertised: " + capabilities_text(n["capabilities"]["advertised"]) + "\n";
  if (n["capabilities"]["negotiated"].is_object())
    out += "  Capabilities negotiated: " + capabilities_text(n["capabilities"]["negotiated"]) + "\n";
  const nlohmann::json& error = n["last_error"];
  if (error.is_object()) {
    out += "  Last error: " + error.value("text", "");
    if (error["seconds_ago"].is_number()) out += " (" + format_age(error["seconds_ago"].get<double>()) + " ago)";
    out += "\n";
    if (error["notification_sent"].is_string())
      out += "    NOTIFICATION sent: " + error["notification_sent"].get<std::string>() + "\n";
    if (error["notification_received"].is_string())
      out += "    NOTIFICATION received: " + error["notification_received"].get<std::string>() + "\n";
  } else {
    out += "  Last error: none\n";
  }
  std::vector<std::vector<std::string>> messages{
      {"  Messages", "OPEN", "UPDATE", "NOTIFICATION", "KEEPALIVE", "ROUTE-REFRESH", "other", "total"}};
  for (const char* direction : {"received", "sent"}) {
    const nlohmann::json& c = n["messages"][direction];
    messages.push_back({std::string("  ") + direction, str(c, "open"), str(c, "update"), str(c, "notification"),
                        str(c, "keepalive"), str(c, "route_refresh"), str(c, "other"), str(c, "total")});
  }
  out += render_table(messages);
  out += "  Prefixes ipv4: " + counts_text(n["prefixes"]["ipv4"]) + "\n";
  out += "  Prefixes ipv6: " + counts_text(n["prefixes"]["ipv6"]) + "\n";
  out += "  Max-prefix ipv4: " + max_prefix_text(n["max_prefix"]["ipv4"]) + "; ipv6: " +
         max_prefix_text(n["max_prefix"]["ipv6"]) + "\n";
  out += "  Policy import: " + text_or(n["policy"], "import", "none (RFC 8212 default)") +
         ", export: " + text_or(n["policy"], "export", "none (RFC 8212 default)") +
         (n.value("rfc8212_blocked", false) ? "  [RFC 8212: eBGP without policy blocks routes]" : "") + "\n";
  out += std::string("  Soft reconfiguration inbound: ") +
         (n.value("soft_reconfiguration_inbound", false) ? "on (routes kept as received)" : "off") + "\n";
  const nlohmann::json& bfd = n["bfd"];
  if (bfd.is_object())
    out += "  BFD " + bfd.value("state", "") + " for " + format_age(bfd.value("since_seconds", 0.0)) +
           ", detection time " + milliseconds_text(bfd, "detection_time_ms") +
           ", local diag " + bfd.value("local_diag", "") + "\n";
  else
    out += "  BFD: not configured\n";
  return out;
}

namespace {
std::string communities_text(const nlohmann::json& p) {
  std::string out;
  for (const char* key : {"communities", "large_communities"})
    if (p.contains(key))
      for (auto& c : p[key]) out += (out.empty() ? "" : " ") + c.get<std::string>();
  return out;
}
}  // namespace

std::string render_routes(const nlohmann::json& reply) {
  std::string view = reply.value("view", "loc-rib");
  if (view == "adj-rib-in" || view == "adj-rib-out") {
    bool in = view == "adj-rib-in";
    std::string out =
        in ? "Routes received from " + reply.value("neighbor", "") +
                 (reply.value("pre_policy", false)
                      ? " as received (pre-policy copy, soft reconfiguration inbound)\n"
                      : " after import policy (post-policy: no pre-policy copy is kept, rejected routes are not shown)\n")
           : "Routes advertised to " + reply.value("neighbor", "") + ", with the attributes sent\n";
    std::vector<std::vector<std::string>> rows{{"Prefix", "", "Next hop", "AS path", "LocPrf", "MED", "Origin",
                                                "Communities"}};
    for (auto& r : reply["routes"]) {
      std::string mark = !in                            ? ""
                         : !r.value("accepted", false)  ? "x "
                         : r.value("best", false)       ? "*>"
                         : r.value("multipath", false)  ? "*="
                                                        : "* ";
      rows.push_back({r.value("prefix", ""), mark, r.value("next_hop", "-"), r.value("as_path", ""),
                      str(r, "local_pref"), str(r, "med"), r.value("origin", ""), communities_text(r)});
    }
    return out + render_table(rows) +
           (in ? "*> best, *= also used (ECMP), * accepted, x rejected by import policy\n" : "");
  }
  std::vector<std::vector<std::string>> rows{{"Prefix", "", "From", "Next hop", "AS path", "LocPrf", "MED", "Origin"}};
  for (auto& r : reply["routes"]) {
    bool first = true;
    for (auto& p : r["paths"]) {
      std::string mark = p.value("best", false) ? "*>" : (p.value("multipath", false) ? "*=" : "  ");
      rows.push_back({first ? r.value("prefix", "") : "", mark, p.value("from", ""), p.value("next_hop", "-"),
                      p.value("as_path", ""), str(p, "local_pref"), str(p, "med"), p.value("origin", "")});
      first = false;
    }
  }
  return render_table(rows) + "*> best, *= also used (ECMP)\n";
}

std::string render_fib(const nlohmann::json& reply) {
  std::vector<std::vector<std::string>> rows{{"Prefix", "Next hops"}};
  for (auto& r : reply["routes"]) rows.push_back({r.value("prefix", ""), next_hops_text(r["next_hops"])});
  std::string out = render_table(rows);
  if (reply.contains("stats")) {
    auto& s = reply["stats"];
    out += str(s, "routes") + " routes over " + str(s, "groups") + " next-hop groups of " + str(s, "next_hops") +
           " next hops; kernel writes: " + str(s, "route_writes") + " route, " + str(s, "group_writes") +
           " group, " + str(s, "failed_writes") + " failed\n";
  }
  // What the kernel refused stays visible until a retry succeeds.
  if (reply.contains("not_installed") && !reply["not_installed"].empty()) {
    out += "not installed (retried with back-off):\n";
    for (auto& reason : reply["not_installed"]) out += "  " + reason.get<std::string>() + "\n";
  }
  return out;
}

std::string render_status(const nlohmann::json& reply) {
  return "router " + reply.value("router", "") + ", AS " + str(reply, "local_as") + ", router id " +
         reply.value("router_id", "") + ", up " + format_age(reply.value("uptime_seconds", 0.0)) + "\n" +
         str(reply, "neighbors") + " neighbours, " + str(reply, "loc_rib_prefixes") + " prefixes in the Loc-RIB, " +
         str(reply, "attribute_sets") + " distinct attribute sets\n" +
         (reply.value("fib_not_installed", 0) > 0
              ? str(reply, "fib_not_installed") + " kernel objects not installed (see `halink show fib`)\n"
              : std::string());
}


std::string render_bfd(const nlohmann::json& reply) {
  std::vector<std::vector<std::string>> rows{{"Neighbor", "Peer", "Interface", "State", "Since", "Diag (local/remote)",
                                              "TX", "RX", "Detect", "Rx pkts", "Tx pkts", "Dropped", "Downs"}};
  std::string notes;
  for (auto& s : reply["sessions"]) {
    std::string where = s.value("multihop", false) ? "multihop" : s.value("interface", "");
    std::string state = s.value("state", "");
    if (state != "Up" && s.value("remote_state", "") == "AdminDown") state += " (peer AdminDown)";
    const nlohmann::json& c = s["counters"];
    rows.push_back({s.value("name", ""), s.value("peer", ""), where.empty() ? "-" : where, state,
                    format_age(s.value("since_seconds", 0.0)),
                    s.value("local_diag", "") + " / " + s.value("remote_diag", ""), milliseconds_text(s, "tx_interval_ms"),
                    milliseconds_text(s, "rx_interval_ms"), milliseconds_text(s, "detection_time_ms"),
                    str(c, "rx_packets"), str(c, "tx_packets"), str(c, "dropped"), str(c, "down_transitions")});
    if (c.contains("dropped_by_reason"))
      for (auto& [reason, count] : c["dropped_by_reason"].items())
        notes += "  " + s.value("name", "") + ": " + count.dump() + " dropped: " + reason + "\n";
  }
  return render_table(rows) + notes;
}

}  // namespace halink::runtime
