// Failures injected into a running lab, and their repair, for every
// config::FailureKind a scenario names (config/scenario.h):
//
//   tunnel-blackhole T     nftables drop of T's outer UDP on the RECEIVE side
//                          (prerouting) in both ends' namespaces: silent, as a
//                          dead path is (a drop on output would return an
//                          error to wireguard-go; lab notes)
//   tunnel-down T          T's interface down on both routers
//   link-down T@R          T's interface down on router R
//   router-crash R         kill -9 of R's halinkd and every link of R down;
//                          restore: links up, halinkd started again
//   underlay-loss U        every tunnel over U black-holed as above (an ISP
//                          failing upstream; the routers' own links stay up)
//   tunnel-process-crash T@R  kill -9 of R's wireguard-go for T (its
//                          interface disappears); restore: started again
//   tunnel-wrong-key T     the first end's peer key replaced by a random one
//                          (`wg set`), as after a botched rekey
//   halinkd-restart R      kill -9 of R's halinkd and an immediate start
//
// Every injection is undone by restore() with the same Failure, leaving the
// lab as `up` built it.
#pragma once

#include <vector>

#include "config/scenario.h"
#include "core/result.h"
#include "lab/convergence.h"
#include "lab/lab.h"

namespace halink::lab {

class FailureInjector {
public:
  explicit FailureInjector(Lab& lab) : lab_(lab) {}

  Status inject(const config::Failure& failure);
  Status restore(const config::Failure& failure);
  Status restore_all();  // newest first; every repair is tried

  const std::vector<config::Failure>& in_force() const { return in_force_; }
  // Which sessions must be down (and daemons not running) while the
  // failures in force last: what "converged" means during a failure.
  ConvergenceOptions expectation() const;

private:
  Status apply(const config::Failure& failure, bool fail);
  Status blackhole(const std::string& table, const std::vector<const TunnelPlan*>& tunnels, bool fail);
  Status tunnel_link(const TunnelPlan& tunnel, const std::string& router, bool up);
  Result<const TunnelPlan*> tunnel(const std::string& name) const;
  size_t end_index(const TunnelPlan& tunnel, const std::string& router) const;

  Lab& lab_;
  std::vector<config::Failure> in_force_;
};

}  // namespace halink::lab
