// When a running lab has converged: asked of every halinkd over its
// control socket, the way an operator would (`halink show neighbors`,
// `show bfd`, `show fib`).
//
// Converged means: every BGP session is Established and every BFD session
// Up, except those the failures in force take down (`failed`), which must
// not be; and no router's installed routes changed for `stable`.
#pragma once

#include <string>

#include "config/scenario.h"
#include "core/result.h"
#include "core/time.h"
#include "lab/lab.h"

namespace halink::lab {

struct ConvergenceOptions {
  config::FailureEffect failed;  // config::failures_take_down() of the failures in force
  Duration stable = Duration::milliseconds(500);
  Duration limit = Duration::seconds(60);
};

struct Convergence {
  Duration took;  // from the call until converged (including `stable`)
  Duration sessions_up_after;  // until every expected session was Established
};

// Polls every 50 ms; an Error names the sessions still not where expected
// when `limit` passes (or when interrupted).
Result<Convergence> wait_converged(const Lab& lab, const ConvergenceOptions& options);

}  // namespace halink::lab
