// BIRD 2 and FRR configurations generated from a router's section of the
// topology — the same section halinkd runs with — so one design can run
// any mix of halinkd, BIRD and FRR (`daemon: bird | frr`) with the same
// sessions, timers, BFD, policies, originated networks and ECMP.
//
// Whatever the section says that the generated configuration cannot say
// is an Error naming it, never silently dropped: a lab that ran BIRD with
// a policy term half translated would prove nothing.
//
// Routes reach the kernel (table fib.table) as halinkd's would: BIRD's
// kernel protocol with `merge paths` for ECMP, FRR's zebra with bgpd's
// `maximum-paths`. Only routes learned over BGP are installed; the
// networks a router originates are announced, not installed.
#pragma once

#include <string>

#include "config/topology.h"
#include "core/result.h"

namespace halink::lab {

// Status::success() when `router` can be expressed for `daemon` (bird or
// frr), else an Error naming the router, the neighbour or policy term and
// the setting.
Status check_reference_config(const config::RouterConfig& router, config::DaemonKind daemon);

// bird.conf for BIRD 2 (2.0.12 here): logs to stderr.
Result<std::string> bird_config(const config::RouterConfig& router);
// The BGP protocol BIRD runs for a neighbour ("bgp_r1_g1": BIRD names are
// identifiers), as `birdc show protocols` lists it.
std::string bird_protocol_name(const config::Neighbor& neighbor);

struct FrrConfig {
  std::string zebra;
  std::string bfdd;
  std::string bgpd;
};
// The three daemons' files (each started with -f FILE), FRR 8.4 syntax.
Result<FrrConfig> frr_config(const config::RouterConfig& router);

// The key in a neighbour's password_file (TCP-MD5), without a trailing newline.
Result<std::string> read_password(const config::Neighbor& neighbor);

}  // namespace halink::lab
