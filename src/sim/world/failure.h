// Failures a design must survive, run in the simulator one at a time with
// the real protocol code, and what each did to traffic.
#pragma once

#include <string>
#include <vector>

#include "config/topology.h"
#include "core/result.h"
#include "core/time.h"
#include "sim/simulation.h"

namespace halink::sim {

struct Failure {
  enum class Kind : uint8_t {
    tunnel_blackhole,  // packets vanish silently (found by BFD or the hold timer)
    tunnel_down,       // the tunnel interface goes down on both ends (carrier loss)
    router_crash,      // the box dies; its links lose carrier at the neighbours
    underlay_loss,     // an ISP fails: all its tunnels black-hole at once
    device_crash,      // a firewall or other box on the data path dies
  };
  Kind kind = Kind::tunnel_blackhole;
  std::string target;  // tunnel, router, underlay or device name
  std::string describe() const;  // "tunnel r1-g1 silently black-holed"
};
const char* failure_kind_name(Failure::Kind kind);

// One per element: every tunnel (black-holed), router, underlay and device.
std::vector<Failure> single_failures(const config::Topology& topology);

struct DirectionOutage {
  std::string from_site;
  std::string to_site;
  size_t flows = 0;
  size_t flows_hit = 0;      // flows that lost at least one sample
  Duration worst;            // longest outage of any flow
  Duration median_hit;       // median over the flows that were hit
  bool recovered = true;     // every flow delivered again before the window ended
};

struct FailureRun {
  Failure failure;
  Duration converged_after;             // from cold start
  std::vector<DirectionOutage> failure_outage;   // while the failure lasts
  std::vector<DirectionOutage> restore_outage;   // after the repair (failback)
  std::vector<std::string> trace_excerpt;        // protocol events during the failure
};

struct RunOptions {
  uint64_t seed = 1;
  int flows_per_direction = 64;
  Duration settle = Duration::seconds(3);  // steady traffic before the failure
  // How long the failure lasts; unset: the longest hold time in the design + 5 s.
  std::optional<Duration> failure_duration;
  Duration after_restore = Duration::seconds(30);
  Duration convergence_limit = Duration::seconds(300);
};

Result<FailureRun> run_failure(const config::Topology& topology, const Failure& failure, const RunOptions& options);

}  // namespace halink::sim
