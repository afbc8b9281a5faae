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

std::string render_neighbors(const nlohmann::json& reply) {
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

std::string render_routes(const nlohmann::json& reply) {
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
  return out;
}

std::string render_status(const nlohmann::json& reply) {
  return "router " + reply.value("router", "") + ", AS " + str(reply, "local_as") + ", router id " +
         reply.value("router_id", "") + ", up " + format_age(reply.value("uptime_seconds", 0.0)) + "\n" +
         str(reply, "neighbors") + " neighbours, " + str(reply, "loc_rib_prefixes") + " prefixes in the Loc-RIB, " +
         str(reply, "attribute_sets") + " distinct attribute sets\n";
}

namespace {
std::string milliseconds_text(const nlohmann::json& j, const char* key) {
  if (!j.contains(key) || !j[key].is_number()) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%gms", j[key].get<double>());
  return buf;
}
}  // namespace

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
