// The result of `halink check`: findings plus the tables behind them, as a
// value, rendered as text for an engineer or as JSON for tools and CI.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "core/time.h"

namespace halink::design {

enum class Severity : uint8_t { info, warning, error };
const char* severity_name(Severity severity);  // "info", "warning", "error"

enum class FindingKind : uint8_t {
  // failures (spof.h)
  single_point_of_failure,  // one element's loss disconnects a pair of endpoints
  no_path,                  // a pair of endpoints is not connected at all
  reduced_redundancy,       // survives one failure, but with little to spare
  static_route,             // a static route that needs a human after a failure
  no_site_pair_session,     // a router the LAN reaches by static ECMP has no iBGP route to its sibling (site_pairs.h)
  // sessions and timers (timers.h)
  session_one_sided,      // a neighbour with no session configured back
  remote_as_mismatch,     // remote_as is not the peer's local_as
  hold_time_mismatch,     // the ends propose different hold times
  keepalive_too_slow,     // a side sends keepalives too rarely for the negotiated hold time
  bfd_one_sided,          // BFD configured (or possible) on one end only
  bfd_mismatch,           // both ends run BFD with different settings
  detection_asymmetry,    // one end notices a silent failure much later than the other
  slow_detection,         // a silent failure goes unnoticed for a long time on both ends
  aggressive_bfd,         // BFD so fast that load alone can make it flap
  provider_limit,         // configuration the provider's gateway cannot honour
  idle_tunnel,            // a tunnel nothing routes over
  // traffic (traffic.h)
  unequal_bandwidth,      // active/active over underlays of different bandwidth
  active_passive,         // some tunnels are standby by design
  asymmetric_stateful,    // ECMP or asymmetric paths through stateful devices
  reverse_path_filter,    // return traffic arrives on tunnels the router does not send on
  no_route,               // a site's prefixes are not advertised towards another site
};
const char* finding_kind_name(FindingKind kind);  // "single-point-of-failure", ...

// Findings are shown in these groups, in this order.
enum class FindingGroup : uint8_t { failures, static_routes, timers, provider, traffic };
FindingGroup finding_group(FindingKind kind);
const char* finding_group_title(FindingGroup group);  // "Single points of failure", ...

struct Finding {
  Severity severity = Severity::info;
  FindingKind kind = FindingKind::single_point_of_failure;
  std::vector<std::string> elements;  // names of the routers, tunnels, ... involved
  std::string message;                // what is wrong, in one or two sentences
  std::string advice;                 // what to change; may be empty
};

// Expected steady-state share of the traffic from one site to another that
// one tunnel carries (0..1), from the routing policy (traffic.h).
struct TunnelShare {
  std::string from_site;
  std::string to_site;
  std::string tunnel;
  std::string underlay;
  std::string sender;  // the router that sends into the tunnel in this direction
  double share = 0.0;
};

// How long each end of a tunnel keeps sending into it after it fails
// silently (no carrier loss): the detection time and what detects it.
struct DetectionWindow {
  std::string tunnel;
  std::string router_a;
  Duration detection_at_a = Duration::infinite();
  std::string mechanism_at_a;  // "BFD 300ms x 3", "BGP hold timer", "IPsec DPD"
  std::string router_b;
  Duration detection_at_b = Duration::infinite();
  std::string mechanism_at_b;
};

// Two elements whose loss together disconnects places that survive either
// loss alone (`halink check --k 2`).
struct DoubleFailureCut {
  std::vector<std::string> elements;    // the two elements
  std::vector<std::string> pairs_lost;  // "site onprem <-> site cloud"
};

// ---- Simulated failover (filled by the simulator, src/sim) -----------------
// The static analysis leaves `Report::simulated_failover` empty. The
// simulator runs the real protocol code per failure and appends one entry
// per failure it injected; render_text/render_json show them when present.
struct SimulatedFlowOutage {
  std::string flow;       // "10.1.0.10:40000 -> 10.2.0.10:443/tcp" or a flow name
  std::string from_site;
  std::string to_site;
  Duration outage;        // time the flow's packets were lost
  std::string path_after; // tunnel(s) the flow uses after convergence; empty if none
};

struct SimulatedFailover {
  std::string failure;                // "tunnel t1 blackholed", "underlay isp1 lost"
  std::vector<std::string> elements;  // what was failed
  std::string site_a;
  std::string site_b;
  Duration outage_a_to_b;  // worst flow outage a -> b
  Duration outage_b_to_a;  // worst flow outage b -> a
  bool survived = true;    // every flow recovered without a human
  std::vector<SimulatedFlowOutage> flows;
};

struct Report {
  std::string topology;     // the topology's name
  std::string source_file;  // where it was read from
  std::vector<Finding> findings;
  std::vector<TunnelShare> traffic;
  std::vector<DetectionWindow> detection;
  int failure_order = 1;  // 2: double_failures was computed
  std::vector<DoubleFailureCut> double_failures;
  std::vector<SimulatedFailover> simulated_failover;  // empty until the simulator runs

  void add(Finding finding) { findings.push_back(std::move(finding)); }
  size_t count(Severity severity) const;
  size_t count(FindingKind kind) const;
  std::vector<const Finding*> of_kind(FindingKind kind) const;
  bool has_errors() const { return count(Severity::error) > 0; }
  // Share of from→to traffic on `tunnel` (0 when the tunnel carries none).
  double share(const std::string& from_site, const std::string& to_site, const std::string& tunnel) const;

  // One line for the top of the output: "2 single points of failure, 1 timer
  // mismatch" or "no single points of failure, no problems found".
  std::string verdict() const;
};

std::string render_text(const Report& report);
std::string render_json(const Report& report, int indent = 2);

}  // namespace halink::design
