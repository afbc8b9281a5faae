#include "design/report.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

namespace halink::design {

const char* severity_name(Severity severity) {
  switch (severity) {
    case Severity::info: return "info";
    case Severity::warning: return "warning";
    case Severity::error: return "error";
  }
  return "info";
}

const char* finding_kind_name(FindingKind kind) {
  switch (kind) {
    case FindingKind::single_point_of_failure: return "single-point-of-failure";
    case FindingKind::no_path: return "no-path";
    case FindingKind::reduced_redundancy: return "reduced-redundancy";
    case FindingKind::static_route: return "static-route";
    case FindingKind::session_one_sided: return "session-one-sided";
    case FindingKind::remote_as_mismatch: return "remote-as-mismatch";
    case FindingKind::hold_time_mismatch: return "hold-time-mismatch";
    case FindingKind::keepalive_too_slow: return "keepalive-too-slow";
    case FindingKind::bfd_one_sided: return "bfd-one-sided";
    case FindingKind::bfd_mismatch: return "bfd-mismatch";
    case FindingKind::detection_asymmetry: return "detection-asymmetry";
    case FindingKind::slow_detection: return "slow-detection";
    case FindingKind::aggressive_bfd: return "aggressive-bfd";
    case FindingKind::provider_limit: return "provider-limit";
    case FindingKind::idle_tunnel: return "idle-tunnel";
    case FindingKind::unequal_bandwidth: return "unequal-bandwidth";
    case FindingKind::active_passive: return "active-passive";
    case FindingKind::asymmetric_stateful: return "asymmetric-stateful";
    case FindingKind::reverse_path_filter: return "reverse-path-filter";
    case FindingKind::no_route: return "no-route";
    case FindingKind::no_site_pair_session: return "no-site-pair-session";
  }
  return "finding";
}

FindingGroup finding_group(FindingKind kind) {
  switch (kind) {
    case FindingKind::single_point_of_failure:
    case FindingKind::no_path:
    case FindingKind::reduced_redundancy:
    case FindingKind::no_site_pair_session: return FindingGroup::failures;
    case FindingKind::static_route: return FindingGroup::static_routes;
    case FindingKind::session_one_sided:
    case FindingKind::remote_as_mismatch:
    case FindingKind::hold_time_mismatch:
    case FindingKind::keepalive_too_slow:
    case FindingKind::bfd_one_sided:
    case FindingKind::bfd_mismatch:
    case FindingKind::detection_asymmetry:
    case FindingKind::slow_detection:
    case FindingKind::aggressive_bfd:
    case FindingKind::idle_tunnel: return FindingGroup::timers;
    case FindingKind::provider_limit: return FindingGroup::provider;
    case FindingKind::unequal_bandwidth:
    case FindingKind::active_passive:
    case FindingKind::asymmetric_stateful:
    case FindingKind::reverse_path_filter:
    case FindingKind::no_route: return FindingGroup::traffic;
  }
  return FindingGroup::failures;
}

const char* finding_group_title(FindingGroup group) {
  switch (group) {
    case FindingGroup::failures: return "Single points of failure and redundancy";
    case FindingGroup::static_routes: return "Static routes";
    case FindingGroup::timers: return "Sessions, timers and failure detection";
    case FindingGroup::provider: return "Provider gateway limits";
    case FindingGroup::traffic: return "Traffic";
  }
  return "Findings";
}

size_t Report::count(Severity severity) const {
  return static_cast<size_t>(
      std::count_if(findings.begin(), findings.end(), [&](const Finding& f) { return f.severity == severity; }));
}

size_t Report::count(FindingKind kind) const {
  return static_cast<size_t>(
      std::count_if(findings.begin(), findings.end(), [&](const Finding& f) { return f.kind == kind; }));
}

std::vector<const Finding*> Report::of_kind(FindingKind kind) const {
  std::vector<const Finding*> out;
  for (const Finding& f : findings)
    if (f.kind == kind) out.push_back(&f);
  return out;
}

double Report::share(const std::string& from_site, const std::string& to_site, const std::string& tunnel) const {
  double total = 0.0;
  for (const TunnelShare& s : traffic)
    if (s.from_site == from_site && s.to_site == to_site && s.tunnel == tunnel) total += s.share;
  return total;
}

namespace {

std::string counted(size_t n, const char* singular, const char* plural) {
  return std::to_string(n) + " " + (n == 1 ? singular : plural);
}

// Problems (warnings and errors) of one group.
size_t problems(const Report& report, FindingGroup group) {
  return static_cast<size_t>(std::count_if(report.findings.begin(), report.findings.end(), [&](const Finding& f) {
    return finding_group(f.kind) == group && f.severity != Severity::info;
  }));
}

std::string seconds_text(Duration d) {
  if (d == Duration::infinite()) return "never";
  return d.to_string();
}

std::string percent(double share) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%5.1f %%", share * 100.0);
  return buffer;
}

}  // namespace

std::string Report::verdict() const {
  std::vector<std::string> parts;
  const size_t spofs = count(FindingKind::single_point_of_failure);
  const size_t no_paths = count(FindingKind::no_path);
  if (no_paths) parts.push_back(counted(no_paths, "pair of sites with no path at all", "pairs of sites with no path at all"));
  parts.push_back(spofs ? counted(spofs, "single point of failure", "single points of failure")
                        : std::string("no single points of failure"));
  if (size_t n = problems(*this, FindingGroup::static_routes))
    parts.push_back(counted(n, "static route that needs a human", "static routes that need a human"));
  if (size_t n = problems(*this, FindingGroup::timers))
    parts.push_back(counted(n, "timer or session mismatch", "timer or session mismatches"));
  if (size_t n = problems(*this, FindingGroup::provider))
    parts.push_back(counted(n, "provider limit violated", "provider limits violated"));
  if (size_t n = problems(*this, FindingGroup::traffic)) parts.push_back(counted(n, "traffic warning", "traffic warnings"));
  const size_t redundancy = std::count_if(findings.begin(), findings.end(), [](const Finding& f) {
    return f.kind == FindingKind::reduced_redundancy && f.severity != Severity::info;
  });
  if (redundancy) parts.push_back(counted(redundancy, "redundancy warning", "redundancy warnings"));
  if (size_t n = count(FindingKind::no_site_pair_session))
    parts.push_back(counted(n, "router without a site pair session", "routers without a site pair session"));

  std::string status = has_errors() ? "FAIL" : count(Severity::warning) ? "WARN" : "OK";
  std::string line = status + ": ";
  for (size_t i = 0; i < parts.size(); ++i) line += (i ? ", " : "") + parts[i];
  line += " (" + counted(count(Severity::error), "error", "errors") + ", " +
          counted(count(Severity::warning), "warning", "warnings") + ", " +
          counted(count(Severity::info), "note", "notes") + ")";
  return line;
}

std::string render_text(const Report& report) {
  std::string out;
  out += "halink check: " + report.topology;
  if (!report.source_file.empty() && report.source_file != report.topology) out += " (" + report.source_file + ")";
  out += "\n" + report.verdict() + "\n";

  for (FindingGroup group : {FindingGroup::failures, FindingGroup::static_routes, FindingGroup::timers,
                             FindingGroup::provider, FindingGroup::traffic}) {
    std::vector<const Finding*> in_group;
    for (const Finding& f : report.findings)
      if (finding_group(f.kind) == group) in_group.push_back(&f);
    if (in_group.empty()) continue;
    // Errors first, then warnings, then notes; otherwise in the order found.
    std::stable_sort(in_group.begin(), in_group.end(),
                     [](const Finding* a, const Finding* b) { return a->severity > b->severity; });
    out += "\n" + std::string(finding_group_title(group)) + "\n";
    for (const Finding* f : in_group) {
      std::string tag = severity_name(f->severity);
      for (char& c : tag) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      tag.resize(8, ' ');
      out += "  " + tag + f->message + "\n";
      if (!f->advice.empty()) out += "          -> " + f->advice + "\n";
    }
  }

  if (!report.traffic.empty()) {
    out += "\nExpected traffic share per tunnel (steady state)\n";
    std::vector<std::pair<std::string, std::string>> directions;
    for (const TunnelShare& s : report.traffic) {
      auto d = std::make_pair(s.from_site, s.to_site);
      if (std::find(directions.begin(), directions.end(), d) == directions.end()) directions.push_back(d);
    }
    for (const auto& [from, to] : directions) {
      out += "  " + from + " -> " + to + "\n";
      for (const TunnelShare& s : report.traffic) {
        if (s.from_site != from || s.to_site != to) continue;
        std::string name = s.tunnel;
        name.resize(std::max<size_t>(name.size(), 12), ' ');
        std::string underlay = s.underlay;
        underlay.resize(std::max<size_t>(underlay.size(), 10), ' ');
        out += "    " + name + " " + underlay + " " + percent(s.share) + "  (sent by " + s.sender + ")\n";
      }
    }
  }

  if (!report.detection.empty()) {
    out += "\nSilent failure of one tunnel: how long each end keeps sending into it\n";
    for (const DetectionWindow& d : report.detection) {
      out += "  " + d.tunnel + ": " + d.router_a + " " + seconds_text(d.detection_at_a) + " (" + d.mechanism_at_a +
             "), " + d.router_b + " " + seconds_text(d.detection_at_b) + " (" + d.mechanism_at_b + ")\n";
    }
  }

  if (report.failure_order >= 2) {
    out += "\nPairs of failures that disconnect (k = 2)\n";
    if (report.double_failures.empty()) out += "  none\n";
    for (const DoubleFailureCut& cut : report.double_failures) {
      std::string names, pairs;
      for (const std::string& e : cut.elements) names += (names.empty() ? "" : " + ") + e;
      for (const std::string& p : cut.pairs_lost) pairs += (pairs.empty() ? "" : ", ") + p;
      out += "  " + names + ": " + pairs + "\n";
    }
  }

  out += "\nSimulated failover\n";
  if (report.simulated_failover.empty()) {
    out += "  not run: the figures above are the static analysis only\n";
  } else {
    for (const SimulatedFailover& s : report.simulated_failover) {
      out += "  " + s.failure + ": " + s.site_a + " -> " + s.site_b + " " + seconds_text(s.outage_a_to_b) + ", " +
             s.site_b + " -> " + s.site_a + " " + seconds_text(s.outage_b_to_a) +
             (s.survived ? "" : "  NOT RECOVERED") + "\n";
      for (const SimulatedFlowOutage& flow : s.flows)
        out += "    " + flow.flow + " (" + flow.from_site + " -> " + flow.to_site + "): " + seconds_text(flow.outage) +
               (flow.path_after.empty() ? "" : ", then via " + flow.path_after) + "\n";
    }
  }
  return out;
}

namespace {

nlohmann::json duration_ms(Duration d) {
  if (d == Duration::infinite()) return nullptr;  // never
  return static_cast<double>(d.ns()) / 1e6;
}

}  // namespace

std::string render_json(const Report& report, int indent) {
  using nlohmann::json;
  json out;
  out["topology"] = report.topology;
  out["source_file"] = report.source_file;
  out["verdict"] = report.verdict();
  out["errors"] = report.count(Severity::error);
  out["warnings"] = report.count(Severity::warning);
  out["notes"] = report.count(Severity::info);
  out["findings"] = json::array();
  for (const Finding& f : report.findings) {
    out["findings"].push_back({{"severity", severity_name(f.severity)},
                               {"kind", finding_kind_name(f.kind)},
                               {"group", finding_group_title(finding_group(f.kind))},
                               {"elements", f.elements},
                               {"message", f.message},
                               {"advice", f.advice}});
  }
  out["traffic"] = json::array();
  for (const TunnelShare& s : report.traffic) {
    out["traffic"].push_back({{"from_site", s.from_site},
                              {"to_site", s.to_site},
                              {"tunnel", s.tunnel},
                              {"underlay", s.underlay},
                              {"sender", s.sender},
                              {"share", s.share}});
  }
  out["detection"] = json::array();
  for (const DetectionWindow& d : report.detection) {
    out["detection"].push_back({{"tunnel", d.tunnel},
                                {"router_a", d.router_a},
                                {"detection_at_a_ms", duration_ms(d.detection_at_a)},
                                {"mechanism_at_a", d.mechanism_at_a},
                                {"router_b", d.router_b},
                                {"detection_at_b_ms", duration_ms(d.detection_at_b)},
                                {"mechanism_at_b", d.mechanism_at_b}});
  }
  out["failure_order"] = report.failure_order;
  out["double_failures"] = json::array();
  for (const DoubleFailureCut& cut : report.double_failures)
    out["double_failures"].push_back({{"elements", cut.elements}, {"pairs_lost", cut.pairs_lost}});
  out["simulated_failover"] = json::array();
  for (const SimulatedFailover& s : report.simulated_failover) {
    json flows = json::array();
    for (const SimulatedFlowOutage& f : s.flows)
      flows.push_back({{"flow", f.flow},
                       {"from_site", f.from_site},
                       {"to_site", f.to_site},
                       {"outage_ms", duration_ms(f.outage)},
                       {"path_after", f.path_after}});
    out["simulated_failover"].push_back({{"failure", s.failure},
                                         {"elements", s.elements},
                                         {"site_a", s.site_a},
                                         {"site_b", s.site_b},
                                         {"outage_a_to_b_ms", duration_ms(s.outage_a_to_b)},
                                         {"outage_b_to_a_ms", duration_ms(s.outage_b_to_a)},
                                         {"survived", s.survived},
                                         {"flows", flows}});
  }
  return out.dump(indent);
}

}  // namespace halink::design
